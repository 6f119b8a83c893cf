import { readFileSync } from 'node:fs';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { createSchema as cannedReplyCreateSchema, updateSchema as cannedReplyUpdateSchema } from '../../services/canned-replies/canned-replies.js';
import { createCategorySchema, updateCategorySchema } from '../../services/categories/categories.js';
import { createTeamSchema, updateTeamSchema } from '../../services/teams/teams.js';
import { personalApiTokenSchema } from '../../services/auth/create-personal-api-token.js';
import { scheduleSchema } from '../../services/digest/digest-schedule.js';
import { createInboxSchema, updateInboxSchema } from '../../services/inboxes/inbox-schemas.js';
import { credentialsSchema } from '../../services/auth/issue-api-token.js';
import { querySchema as ticketQuerySchema } from '../../services/tickets/list-tickets.js';
import { createSchema as savedViewCreateSchema, updateSchema as savedViewUpdateSchema } from '../../services/views/saved-views.js';
import { mergeSchema } from '../../services/tickets/merge-ticket.js';
import { bulkSchema } from '../../services/tickets/bulk-update-tickets.js';
import { snoozeSchema } from '../../services/lifecycle/snooze-ticket.js';
import { markSpamSchema } from '../../services/spam/mark-spam.js';
import { replySchema } from '../../services/tickets/send-reply.js';
import { changedSchema as connectionTestSchema } from '../../services/inboxes/test-inbox-connection.js';
import { patchSchema as ticketUpdateSchema } from '../../services/tickets/update-ticket.js';
import { preferencesSchema } from '../../services/users/update-own-preferences.js';
import { notificationSettingsSchema } from '../../services/users/update-own-notification-settings.js';
import { markReadSchema } from '../../services/notifications/mark-notifications-read.js';
import { createUserSchema, updateUserSchema } from '../../services/users/user-schemas.js';
import { HANDWRITTEN_SCHEMAS, listOf, ref, type JsonSchema } from './openapi-schemas.js';

/** The JSON Schema of what a zod schema accepts, so a documented request body is the validated one. */
function accepted(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
}

/** Request bodies checked by zod: generated from the very schemas the services parse with. */
const REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  Credentials: credentialsSchema,
  InboxCreate: createInboxSchema,
  InboxUpdate: updateInboxSchema,
  ConnectionTestInput: connectionTestSchema,
  DigestScheduleInput: scheduleSchema,
  TicketUpdate: ticketUpdateSchema,
  ReplyInput: replySchema,
  MergeInput: mergeSchema,
  BulkInput: bulkSchema,
  SnoozeInput: snoozeSchema,
  SpamInput: markSpamSchema,
  CannedReplyCreate: cannedReplyCreateSchema,
  CannedReplyUpdate: cannedReplyUpdateSchema,
  SavedViewCreate: savedViewCreateSchema,
  SavedViewUpdate: savedViewUpdateSchema,
  CategoryCreate: createCategorySchema,
  CategoryUpdate: updateCategorySchema,
  TeamCreate: createTeamSchema,
  TeamUpdate: updateTeamSchema,
  UserCreate: createUserSchema,
  UserUpdate: updateUserSchema,
  PersonalApiTokenCreate: personalApiTokenSchema,
  PreferencesUpdate: preferencesSchema,
  NotificationSettingsUpdate: notificationSettingsSchema,
  NotificationsReadInput: markReadSchema,
};

/** The error statuses, each answered with the Error shape; descriptions say when. */
const ERROR_RESPONSES: Record<number, { name: string; description: string }> = {
  400: { name: 'ValidationFailed', description: 'VALIDATION_FAILED: `details.issues` names every offending field (also for a body that is not JSON).' },
  401: { name: 'Unauthenticated', description: 'UNAUTHENTICATED: no token, or it is invalid, expired or revoked.' },
  403: { name: 'Forbidden', description: 'FORBIDDEN: the caller may see this but not do it.' },
  404: { name: 'NotFound', description: "NOT_FOUND: it does not exist, or it is not the caller's." },
  409: { name: 'Conflict', description: 'CONFLICT: the change clashes with the current state.' },
  413: { name: 'PayloadTooLarge', description: 'PAYLOAD_TOO_LARGE: the body is over 1 MB.' },
  429: { name: 'RateLimited', description: 'RATE_LIMITED: too many tries in a while (failed sign-ins for this account or address, digests sent now by this user); `Retry-After` says how many seconds to wait.' },
};

/** One operation, in the few terms the routes differ by. */
interface Operation {
  id: string;
  tag: string;
  summary: string;
  description?: string;
  /** Needs no token. */
  public?: true;
  query?: Array<Record<string, unknown>>;
  /** A `components.schemas` name; `optionalBody` when the route also works without one. */
  body?: string;
  optionalBody?: true;
  /** The success status and its schema (none: no content). */
  ok: [status: number, schema?: JsonSchema, description?: string];
  /** Of a success that is not JSON. */
  mediaType?: string;
  errors?: number[];
  /** Responses that replace the generic one of a status (e.g. a 409 with its own details). */
  special?: Record<number, Record<string, unknown>>;
}

const QUERY_DESCRIPTIONS: Record<string, string> = {
  inbox: 'Only this inbox (an id). A member of a team that works the inbox without being a member of it gets the inbox\'s tickets of their teams; anyone else 404.',
  status: 'One or more of new, open, pending, solved, closed, spam, separated by commas. Without it every status but spam is listed: spam shows only when asked for (`status=spam`, the Spam view).',
  assignee: '`me`: assigned to the caller; `unassigned`: to nobody; a user id: to that user (within the caller\'s tickets).',
  teams: '`mine`: the tickets of one of the caller\'s teams.',
  team: 'Only this team\'s tickets (an id; 404 for a team that does not exist), within the caller\'s tickets; `none`: only the tickets without a team.',
  level: 'Only the tickets whose team works at this support level (L1 first contact … L4 outside partner).',
  priority: 'One or more of low, normal, high, urgent, separated by commas.',
  age: 'How long ago the ticket was created: `under-1d`, `1-3d` (one day old to under three), `3-7d`, `over-7d` (a week or more).',
  category: 'Only this category (an id; 404 for a category that does not exist).',
  tag: 'Carrying this tag.',
  due: '`soon`: the SLA is breached or due within the hour; `breached`: past its due time. Both are listed soonest due first unless `sort` says otherwise.',
  snoozed: 'Snoozed tickets are left out unless asked for: `only` lists just them (the Snoozed view), `any` includes them.',
  q: 'Full-text search over subjects, messages (the text of HTML too), internal notes and the requester. Words match in any form, English or French (`invoice` finds `invoices`), '
    + 'whatever their case and accents; Chinese, Japanese and Korean by pairs of characters; the last word, when no space follows it, also as the start of a longer word. '
    + '`"exact phrase"`, `-word`, `-"phrase"`, and the operators `from:` (address, domain or name start), `to:`, `tag:`, `status:` (English or French names; `-status:` excludes), '
    + '`team:` (start of a team name). Combines with every other filter. Without `sort`, tickets whose subject holds every word come first, then the others, each newest activity first.',
  sort: '`activity` (newest activity first, the default), `created` (newest first), `due` (soonest SLA due time first, then the tickets without one by activity).',
  limit: 'Page size; 25 unless given.',
  cursor: 'The `nextCursor` of the previous page.',
};

/** The list filters, one query parameter per field of the list's zod query schema. */
function ticketQueryParameters(): Array<Record<string, unknown>> {
  const schema = accepted(ticketQuerySchema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: schema.required?.includes(name) ?? false,
    ...(QUERY_DESCRIPTIONS[name] ? { description: QUERY_DESCRIPTIONS[name] } : {}),
    schema: property,
  }));
}

function operations(): Record<string, Record<string, Operation>> {
  const manager = 'Admins, and managers of the inbox.';
  return {
    '/openapi.json': { get: { id: 'getOpenApi', tag: 'Meta', summary: 'This document', public: true, ok: [200, { type: 'object' }, 'The OpenAPI 3.1 document.'] } },
    '/auth/token': {
      post: {
        id: 'issueToken', tag: 'Auth', summary: 'Log in: exchange email and password for a bearer token',
        description: 'Shares the sign-in page\'s throttle: failed attempts per account and address, and per address, within 15 minutes.',
        public: true, body: 'Credentials', ok: [201, ref('IssuedToken')], errors: [401, 429],
      },
      delete: { id: 'revokeToken', tag: 'Auth', summary: 'Revoke the token in use', ok: [204] },
    },
    '/me': {
      get: { id: 'getMe', tag: 'Auth', summary: 'The caller', ok: [200, ref('Me')] },
      patch: {
        id: 'updateMyPreferences', tag: 'Auth', summary: "Set the caller's language, time zone and away state",
        description: 'A field left out stays as it is; `""` or null clears it (the language then follows `Accept-Language`, the time zone the instance default). The pages use them from the next request on. `away: true` marks the caller away (shown on the team load and in the top bar; `awaySince` keeps the first time while they stay away), `false` back.',
        body: 'PreferencesUpdate', ok: [200, ref('Preferences')],
      },
    },
    '/me/notification-settings': {
      get: { id: 'getMyNotificationSettings', tag: 'Notifications', summary: 'Which kinds of notification are mailed to the caller', ok: [200, ref('NotificationSettings')] },
      patch: {
        id: 'updateMyNotificationSettings', tag: 'Notifications', summary: 'Switch kinds of notification mail on or off for the caller',
        description: 'By kind: `true` mails it, `false` does not, `null` follows the default again; a kind left out stays as it is, an unknown one is refused (400 naming it). Every kind is on by default, except `team_new_ticket` for teams of more than 5 members. The in-app list (`GET /notifications`) shows every notification whatever the choice. The same settings as on the account page.',
        body: 'NotificationSettingsUpdate', ok: [200, ref('NotificationSettings')],
      },
    },
    '/notifications': {
      get: { id: 'listMyNotifications', tag: 'Notifications', summary: "The caller's last 50 notifications, newest first, read or not", ok: [200, listOf('Notification')] },
    },
    '/notifications/read': {
      post: {
        id: 'markMyNotificationsRead', tag: 'Notifications', summary: "Mark some or all of the caller's notifications read",
        description: '`{ids: [...]}` marks those (ids that are not the caller\'s notifications are ignored), `{all: true}` every unread one. Answers how many changed.',
        body: 'NotificationsReadInput', ok: [200, ref('NotificationsMarked')],
      },
    },
    '/me/tokens': {
      get: { id: 'listMyTokens', tag: 'Auth', summary: "The caller's API tokens, newest first", ok: [200, listOf('ApiToken')] },
      post: {
        id: 'createMyToken', tag: 'Auth', summary: 'Create a personal API token (shown once)',
        description: 'Always 403 with an API token: a token cannot mint tokens. Personal tokens are created on the account page in a signed-in browser.',
        body: 'PersonalApiTokenCreate', ok: [201, ref('PersonalApiToken')], errors: [403],
      },
    },
    '/me/tokens/{id}': { delete: { id: 'revokeMyToken', tag: 'Auth', summary: "Revoke one of the caller's tokens", ok: [204], errors: [404] } },
    '/inboxes': {
      get: { id: 'listInboxes', tag: 'Inboxes', summary: "The caller's inboxes with poller status", ok: [200, listOf('Inbox')] },
      post: {
        id: 'createInbox', tag: 'Inboxes', summary: 'Add an inbox (admins), then test its connection',
        description: 'The inbox is saved, then its IMAP and SMTP accounts are tested as `POST /inboxes/{id}/test-connection` tests them. One that fails is still created (201) but disabled, not polled: `disabled` is `{reason: "connection-test", detail}` with the failure in words, and `connectionTest` has each account\'s result. Fix the settings (`PATCH`), then enable it (`POST /inboxes/{id}/enable`).',
        body: 'InboxCreate', ok: [201, ref('InboxCreated')], errors: [403, 409],
      },
    },
    '/inboxes/{id}': {
      get: { id: 'getInbox', tag: 'Inboxes', summary: 'One inbox with poller status', ok: [200, ref('Inbox')], errors: [404] },
      patch: {
        id: 'updateInbox', tag: 'Inboxes', summary: 'Change an inbox (admins); passwords only when given',
        description: 'A stored password stays with the host, port, TLS mode and user it was saved for: changing any of them needs that password again (400 naming `imap.password` or `smtp.password`). `autoCloseAfterDays` and `pendingReminderAfterDays` (whole days, 0 to 365, 0 for never) apply to tickets solved or made pending from then on; a longer delay also holds back the tickets already waiting (their job checks the setting when it runs).',
        body: 'InboxUpdate', ok: [200, ref('Inbox')], errors: [403, 404, 409],
      },
      delete: {
        id: 'deleteInbox', tag: 'Inboxes', summary: 'Delete an inbox (admins), keeping its tickets read-only or moving them to another inbox',
        description: 'Either way the inbox is no longer polled, sends nothing (its queued mail fails as deleted) and leaves the inbox lists. A move records its target on the inbox before anything moves and works in batches (each moved ticket gets a trail entry); a move cut short is finished by sending the request again (the recorded target wins), without duplicates. 400 when `confirmName` is not the inbox\'s name or `moveTo` is not another inbox.',
        body: 'InboxDelete', ok: [200, ref('InboxDeleteResult')], errors: [400, 403, 404],
      },
    },
    '/inboxes/{id}/disable': {
      post: {
        id: 'disableInbox', tag: 'Inboxes', summary: 'Disable an inbox (admins)',
        description: 'From the poller\'s next scan the inbox is not polled; mail queued through it (replies, auto-replies, notifications) is held as pending, not failed, and leaves within minutes of the inbox being enabled again. Its tickets stay visible and workable.',
        ok: [200, ref('Inbox')], errors: [403, 404],
      },
    },
    '/inboxes/{id}/enable': {
      post: { id: 'enableInbox', tag: 'Inboxes', summary: 'Enable a disabled inbox again (admins): polling resumes, held mail is sent', ok: [200, ref('Inbox')], errors: [403, 404] },
    },
    '/inboxes/{id}/test-connection': {
      post: {
        id: 'testInboxConnection', tag: 'Inboxes', summary: "Log in to the inbox's IMAP and SMTP accounts",
        description: `${manager} A body tests those unsaved values instead (admins only; no password = the stored one, which is only sent to the saved host, port, TLS mode and user: 400 otherwise). A failed login is a result, not an error; its message is one of a fixed set of words, never the server's own text. Served when the server can make network checks.`,
        body: 'ConnectionTestInput', optionalBody: true, ok: [200, ref('ConnectionTestResult')], errors: [403, 404],
      },
    },
    '/inboxes/{id}/sla': {
      get: { id: 'getInboxSla', tag: 'Automation', summary: "The inbox's SLA policy", ok: [200, ref('InboxSla')], errors: [404] },
      put: { id: 'putInboxSla', tag: 'Automation', summary: "Replace the inbox's SLA policy", description: `${manager} Open tickets are re-planned at once.`, body: 'SlaPolicyInput', ok: [200, ref('InboxSla')], errors: [403, 404] },
    },
    '/inboxes/{id}/canned-replies': {
      get: { id: 'listCannedReplies', tag: 'Canned replies', summary: "The inbox's canned replies, by title", ok: [200, listOf('CannedReply')], errors: [404] },
      post: { id: 'createCannedReply', tag: 'Canned replies', summary: 'Add a canned reply', description: `${manager} At most 200 per inbox (409).`, body: 'CannedReplyCreate', ok: [201, ref('CannedReply')], errors: [403, 404, 409] },
    },
    '/inboxes/{id}/canned-replies/{replyId}': {
      patch: { id: 'updateCannedReply', tag: 'Canned replies', summary: 'Change a canned reply', description: manager, body: 'CannedReplyUpdate', ok: [200, ref('CannedReply')], errors: [403, 404] },
      delete: { id: 'deleteCannedReply', tag: 'Canned replies', summary: 'Remove a canned reply', description: manager, ok: [204], errors: [403, 404] },
    },
    '/categories': {
      get: { id: 'listCategories', tag: 'Categories', summary: 'The categories of every inbox and of the caller\'s inboxes (archived ones too)', ok: [200, listOf('Category')] },
      post: { id: 'createCategory', tag: 'Categories', summary: 'Add a category (admins)', description: 'No `inboxId` (or null): a category of every inbox. The name is unique within its inbox, or among the global categories (409).', body: 'CategoryCreate', ok: [201, ref('Category')], errors: [400, 403, 409] },
    },
    '/categories/{id}': {
      patch: { id: 'updateCategory', tag: 'Categories', summary: 'Rename, move, archive or restore a category (admins)', description: 'An archived category stays on the tickets that have it but cannot be chosen.', body: 'CategoryUpdate', ok: [200, ref('Category')], errors: [400, 403, 404, 409] },
    },
    '/teams/load': {
      get: {
        id: 'getTeamLoad', tag: 'Teams', summary: 'Open tickets per team and agent, by priority and age (admins and managers)',
        description: 'The active (new, open, pending), unmerged tickets: per team (with its level), per member (members show with no tickets too, with whether they are away) and other assignees, and unassigned; then those without a team. Each count is split by priority and by age bucket (`under-1d`, `1-3d`, `3-7d`, `over-7d`, from creation at `at`). Admins see every inbox; managers the tickets of their inboxes, and the teams that work them. Agents get 403.',
        ok: [200, ref('TeamLoad')], errors: [403],
      },
    },
    '/teams': {
      get: { id: 'listTeams', tag: 'Teams', summary: 'Support teams (L1–L4), by level and name', description: 'Admins and managers see every team; agents the teams they are a member of.', ok: [200, listOf('Team')] },
      post: { id: 'createTeam', tag: 'Teams', summary: 'Add a team (admins)', description: 'A unique name (409), a level `L1`–`L4`, members (user ids) and the inboxes whose tickets it may work (inbox ids). Members see the tickets whose `teamId` is the team, even outside their inboxes.', body: 'TeamCreate', ok: [201, ref('Team')], errors: [400, 403, 409] },
    },
    '/teams/{id}': {
      get: { id: 'getTeam', tag: 'Teams', summary: 'One team', description: 'An agent gets 404 for a team they are not in.', ok: [200, ref('Team')], errors: [404] },
      patch: { id: 'updateTeam', tag: 'Teams', summary: 'Rename a team, change its level, members or inboxes (admins)', description: '`memberIds` and `inboxIds` replace the lists. Members gain or lose access with their next request. A new level re-plans the SLA clocks of the team\'s active tickets (a level may have SLA targets of its own, `levelTargets`).', body: 'TeamUpdate', ok: [200, ref('Team')], errors: [400, 403, 404, 409] },
      delete: { id: 'deleteTeam', tag: 'Teams', summary: 'Remove a team (admins)', description: 'Its tickets show no team until moved (and their SLA clocks follow the priority targets); their inbox\'s members still see them.', ok: [204], errors: [403, 404] },
    },
    '/views': {
      get: { id: 'listSavedViews', tag: 'Views', summary: "The caller's saved ticket list views, by name", ok: [200, listOf('SavedView')] },
      post: { id: 'createSavedView', tag: 'Views', summary: 'Save a combination of ticket list filters under a name', description: 'The filters are those of `GET /tickets` (`inbox`, `status`, `assignee`, `teams`, `team`, `level`, `priority`, `age`, `category`, `tag`, `q`, `due`, `snoozed`), checked the same way. A name of at most 60 characters; at most 20 views per user (409). Only their owner sees them.', body: 'SavedViewCreate', ok: [201, ref('SavedView')], errors: [400, 403, 409] },
    },
    '/views/{id}': {
      patch: { id: 'updateSavedView', tag: 'Views', summary: 'Rename a saved view or replace its filters', description: "Another user's view is 404.", body: 'SavedViewUpdate', ok: [200, ref('SavedView')], errors: [400, 403, 404] },
      delete: { id: 'deleteSavedView', tag: 'Views', summary: 'Delete a saved view', description: "Another user's view is 404.", ok: [204], errors: [403, 404] },
    },
    '/digests/schedule': {
      get: { id: 'getDigestSchedule', tag: 'Automation', summary: "The caller's digest schedule (managers and admins)", ok: [200, ref('DigestSchedule')], errors: [403] },
      put: { id: 'putDigestSchedule', tag: 'Automation', summary: "Set the caller's digest schedule", body: 'DigestScheduleInput', ok: [200, ref('DigestSchedule')], errors: [403] },
    },
    '/digests/send-now': {
      post: { id: 'sendDigestNow', tag: 'Automation', summary: "Queue the caller's digest now (at most 3 in 10 minutes)", ok: [202, ref('DigestSent')], errors: [403, 409, 429] },
    },
    '/tickets': {
      get: {
        id: 'listTickets', tag: 'Tickets', summary: 'Tickets, newest activity first, keyset-paged', query: ticketQueryParameters(),
        description: 'Each item says whether it is `unread` for the caller: something they did not do (a mail, another agent\'s reply or note) happened after they last opened it, or they marked it unread.',
        ok: [200, ref('TicketPage')], errors: [400, 404],
      },
    },
    '/tickets/bulk': {
      post: {
        id: 'bulkUpdateTickets', tag: 'Tickets', summary: 'One change to up to 100 tickets: assign, team, status, priority, add or remove a tag, merge',
        description: 'Each ticket goes through the same rules as a change to it alone (`PATCH /tickets/{id}`, `POST /tickets/{id}/merge`), one after another: access, trail, SLA re-plans and notifications as for one. `assign` and `team` take an id or null (unassign, no team); `merge` the id of the ticket to keep, into which every other is merged (reported ok itself). A ticket that fails is reported in its result with its error (NOT_FOUND too for a ticket the caller cannot see) and the others go on. 400 for more than 100 ids, none, an unknown action or a value it does not take.',
        body: 'BulkInput', ok: [200, ref('BulkResult')], errors: [400],
      },
    },
    '/tickets/{id}': {
      get: { id: 'getTicket', tag: 'Tickets', summary: 'A ticket with its messages and trail', description: 'Reading it marks it read for the caller.', ok: [200, ref('Ticket')], errors: [404] },
      patch: {
        id: 'updateTicket', tag: 'Tickets', summary: 'Change status, priority, impact and urgency, category, assignee or tags',
        description: 'With both `impact` and `urgency` set, priority follows the impact × urgency matrix unless it was set by hand (`priority` different from the current one sets `priorityOverridden`); `priorityOverridden: false` follows the matrix again. `categoryId` must name a category of the ticket\'s inbox or of every inbox that is not archived (400 naming `categoryId`).',
        body: 'TicketUpdate', ok: [200, ref('TicketState')], errors: [400, 404, 409],
      },
    },
    '/tickets/{id}/replies': {
      post: {
        id: 'replyToTicket', tag: 'Tickets', summary: 'Queue a reply to the requester',
        description: 'Goes To the requester and Cc the known participants of the latest customer mail (`replyRecipients` of the ticket); `to`/`cc` replace those lists, and a suggested or new address goes out only when listed there. Repeating a `requestKey` returns the reply already queued. With `seenUntil`, anything newer on the trail holds the reply (409).',
        body: 'ReplyInput', ok: [202, ref('OutboxItem')], errors: [404],
        special: { 409: { description: 'CONFLICT: the ticket changed after `seenUntil`; the new items are in `details`.', content: { 'application/json': { schema: ref('ReplyConflict') } } } },
      },
    },
    '/tickets/{id}/snooze': {
      post: {
        id: 'snoozeTicket', tag: 'Tickets', summary: 'Snooze: hide the ticket from the lists until a time or the customer\'s reply',
        description: '`until` (ISO 8601 with its offset, in the future, at most 365 days ahead) and/or `untilReply: true`. The ticket leaves every list and view count but the Snoozed view (`snoozed=only`) and comes back, marked `backFromSnooze`, at `until` or when the customer writes, whichever comes first. Snoozing again replaces the snooze. A merged ticket is 409.',
        body: 'SnoozeInput', ok: [200, ref('TicketState')], errors: [400, 404, 409],
      },
      delete: { id: 'unsnoozeTicket', tag: 'Tickets', summary: 'End the snooze now', description: 'The ticket is back in the lists (without the `backFromSnooze` mark); a ticket not snoozed stays as it is.', ok: [200, ref('TicketState')], errors: [404] },
    },
    '/tickets/{id}/spam': {
      post: {
        id: 'markTicketSpam', tag: 'Tickets', summary: 'Mark as spam, and block the sender or their domain for the inbox',
        description: 'The ticket takes the `spam` status: it leaves every list, view count and digest but the Spam view (`status=spam`), its SLA clocks stop, its acknowledgement still queued is cancelled and notifications about it are not mailed. `block`: `sender` adds the requester\'s address to the inbox\'s block list, `domain` their domain (400 for a public mail provider such as gmail.com), `none` nothing. Later mail from a blocked sender is kept on a ticket in Spam, never acknowledged. For members of the ticket\'s inbox and admins (403 for an agent who reaches it only through a team). A ticket already in Spam stays there; a merged ticket is 409.',
        body: 'SpamInput', ok: [200, ref('TicketState')], errors: [400, 403, 404, 409],
      },
    },
    '/tickets/{id}/not-spam': {
      post: {
        id: 'markTicketNotSpam', tag: 'Tickets', summary: 'Not spam: back to its status before, sender unblocked',
        description: 'The ticket returns to the status it had before (a ticket that came straight into Spam: `new`), its SLA clocks are planned again (time in Spam counts as paused for resolution), and the block-list entry it added or matched is removed. No acknowledgement is sent afterwards. A ticket not in Spam stays as it is.',
        ok: [200, ref('TicketState')], errors: [403, 404, 409],
      },
    },
    '/inboxes/{id}/spam-blocks': {
      get: { id: 'listSpamBlocks', tag: 'Inboxes', summary: "The inbox's block list (admins)", description: 'Senders and domains blocked by marking tickets as spam, by value (at most 500).', ok: [200, listOf('SpamBlock')], errors: [403, 404] },
    },
    '/inboxes/{id}/spam-blocks/{blockId}': {
      delete: { id: 'removeSpamBlock', tag: 'Inboxes', summary: 'Remove an entry from the block list (admins)', description: 'The sender\'s or domain\'s mail opens tickets again; tickets already in Spam stay there.', ok: [204], errors: [403, 404] },
    },
    '/tickets/{id}/read': {
      post: { id: 'markTicketRead', tag: 'Tickets', summary: 'Mark the ticket read for the caller', description: 'As `GET /tickets/{id}` and opening the ticket page do: the ticket is unread again once someone else writes on it (a mail, a reply, a note). Marks are the caller\'s own; nobody sees another\'s.', ok: [200, ref('TicketReadState')], errors: [404] },
    },
    '/tickets/{id}/unread': {
      post: { id: 'markTicketUnread', tag: 'Tickets', summary: 'Mark the ticket unread for the caller', description: 'It shows as unread (`unread: true` in the lists) for the caller alone until they open it or mark it read.', ok: [200, ref('TicketReadState')], errors: [404] },
    },
    '/tickets/{id}/notes': { post: { id: 'addNote', tag: 'Tickets', summary: 'Add an internal note', description: 'Each person it mentions with `@handle` (the part of their email address before the `@`, or their whole address) who can see the ticket is notified once.', body: 'NoteInput', ok: [201, ref('Message')], errors: [404] } },
    '/tickets/{id}/merge': {
      post: { id: 'mergeTicket', tag: 'Tickets', summary: 'Merge this ticket into another of the same requester', ok: [200, ref('TicketSummary'), 'The surviving ticket.'], body: 'MergeInput', errors: [404, 409] },
    },
    '/tickets/{id}/requester-tickets': {
      get: { id: 'listRequesterTickets', tag: 'Tickets', summary: "The requester's other tickets (merge candidates)", ok: [200, listOf('TicketSummary')], errors: [404] },
    },
    '/tickets/{id}/canned-replies/{replyId}': {
      get: { id: 'renderCannedReply', tag: 'Canned replies', summary: 'A canned reply filled in for this ticket and the caller', ok: [200, ref('RenderedCannedReply')], errors: [404] },
    },
    '/attachments/{fileId}': {
      get: {
        id: 'downloadAttachment', tag: 'Tickets', summary: 'Download an attachment',
        ok: [200, { type: 'string', contentMediaType: 'application/octet-stream' }, 'The bytes, with `Content-Disposition: attachment` and `nosniff`.'], mediaType: 'application/octet-stream', errors: [404],
      },
    },
    '/quarantine': {
      get: {
        id: 'listQuarantine', tag: 'Quarantine', summary: 'Mail ingest set aside, newest first, keyset-paged (admins)',
        query: [
          { name: 'inbox', in: 'query', required: false, description: 'Only this inbox (an id).', schema: { type: 'string' } },
          { name: 'reason', in: 'query', required: false, description: 'Only this reason code.', schema: { type: 'string' } },
          { name: 'cursor', in: 'query', required: false, description: 'The `nextCursor` of the previous page.', schema: { type: 'string' } },
          { name: 'limit', in: 'query', required: false, description: 'Page size, 1 to 200; 50 unless given.', schema: { type: 'integer' } },
        ],
        ok: [200, ref('QuarantinePage')], errors: [400, 403],
      },
    },
    '/quarantine/{id}': {
      get: { id: 'getQuarantinedMail', tag: 'Quarantine', summary: 'One quarantined mail (admins)', ok: [200, ref('QuarantinedMail')], errors: [403, 404] },
      delete: { id: 'deleteQuarantinedMail', tag: 'Quarantine', summary: 'Delete a quarantined mail and its raw file (admins)', ok: [204], errors: [403, 404] },
    },
    '/quarantine/{id}/raw': {
      get: {
        id: 'downloadQuarantinedMail', tag: 'Quarantine', summary: 'Download the raw mail (admins)',
        ok: [200, { type: 'string', contentMediaType: 'message/rfc822' }, 'The raw bytes, with `Content-Disposition: attachment` and `nosniff`.'], mediaType: 'message/rfc822', errors: [403, 404],
      },
    },
    '/quarantine/{id}/ingest': {
      post: {
        id: 'ingestQuarantinedMail', tag: 'Quarantine', summary: 'Ingest a quarantined mail anyway (admins)',
        description: 'Runs the mail through the usual ingest again, lifting only the size limit for mail set aside for its size. Ingest dedupes by Message-ID and content, so a second call files it once; once ingested the entry is gone (404). Security refusals (NOTIFICATION_REPLY_REFUSED) are never ingested (409).',
        ok: [200, ref('QuarantineIngestResult')], errors: [403, 404, 409],
      },
    },
    '/users': {
      get: { id: 'listUsers', tag: 'Users', summary: 'Every user, by email (admins)', ok: [200, listOf('User')], errors: [403] },
      post: { id: 'createUser', tag: 'Users', summary: 'Add a user (admins); without a password they are emailed an invite link', body: 'UserCreate', ok: [201, ref('CreatedUser')], errors: [403, 409] },
    },
    '/users/{id}': {
      get: { id: 'getUser', tag: 'Users', summary: 'One user (admins)', ok: [200, ref('User')], errors: [403, 404] },
      patch: { id: 'updateUser', tag: 'Users', summary: 'Change a user (admins)', description: 'The last active admin is never demoted or disabled (409).', body: 'UserUpdate', ok: [200, ref('User')], errors: [403, 404, 409] },
    },
    '/users/{id}/password-link': {
      post: { id: 'issuePasswordLink', tag: 'Users', summary: 'Issue a one-time link to set the password (admins); it is also emailed to the user', ok: [201, ref('PasswordLink')], errors: [403, 404, 409] },
    },
  };
}

/** The OpenAPI form of one operation: path parameters, body, success and error responses. */
function toOpenApi(path: string, op: Operation): Record<string, unknown> {
  const parameters = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  const [status, schema, description] = op.ok;
  const success = schema
    ? { description: description ?? 'OK', content: { [op.mediaType ?? 'application/json']: { schema } } }
    : { description: description ?? 'Done; no content.' };
  const errors = new Set([...(op.errors ?? []), ...(op.body ? [400, 413] : []), ...(op.public ? [] : [401]), ...Object.keys(op.special ?? {}).map(Number)]);
  const responses: Record<string, unknown> = { [status]: success };
  for (const code of [...errors].sort((a, b) => a - b)) {
    responses[code] = op.special?.[code] ?? { $ref: `#/components/responses/${ERROR_RESPONSES[code]!.name}` };
  }
  responses.default = { $ref: '#/components/responses/Unexpected' };
  return {
    operationId: op.id,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(op.public ? { security: [] } : {}),
    ...(parameters.length || op.query ? { parameters: [...parameters, ...(op.query ?? [])] } : {}),
    ...(op.body ? { requestBody: { required: !op.optionalBody, content: { 'application/json': { schema: ref(op.body) } } } } : {}),
    responses,
  };
}

function buildDocument(): Record<string, unknown> {
  const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  const errorContent = { 'application/json': { schema: ref('Error') } };
  const responses = Object.fromEntries(Object.values(ERROR_RESPONSES).map(({ name, description }) => [name, { description, content: errorContent }]));
  responses.Unexpected = { description: 'Any other failure, in the same shape (e.g. INTERNAL, 500).', content: errorContent };
  const paths = Object.fromEntries(
    Object.entries(operations()).map(([path, ops]) => [path, Object.fromEntries(Object.entries(ops).map(([method, op]) => [method, toOpenApi(path, op)]))]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Threadline',
      version,
      description:
        'The JSON API of Threadline, an email-first helpdesk. Get a token with `POST /auth/token`, then send `Authorization: Bearer <token>`. ' +
        'Errors look like `{error: {code, message, details?}}`: `code` is stable; `message` and the `message` of each of `details.issues` are for people, in ' +
        'the caller’s language (their account’s setting, else `Accept-Language`, else English; English or French), named by `Content-Language`. ' +
        'An agent sees only the inboxes they belong to; anything else answers 404, as if it did not exist.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'A token from `POST /auth/token`, or a personal one made on the account page.' } },
      schemas: { ...HANDWRITTEN_SCHEMAS, ...Object.fromEntries(Object.entries(REQUEST_SCHEMAS).map(([name, schema]) => [name, accepted(schema)])) },
      responses,
    },
    paths,
  };
}

let document: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 document of the JSON API v1, built on first use. */
export function openApiDocument(): Record<string, unknown> {
  document ??= buildDocument();
  return document;
}

/** `GET /openapi.json`: the document, for anyone (it describes the API, not its data). */
export const serveOpenApi: RequestHandler = (_req, res) => {
  res.set('Cache-Control', 'no-cache').json(openApiDocument());
};
