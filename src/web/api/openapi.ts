import { readFileSync } from 'node:fs';
import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { createSchema as cannedReplyCreateSchema, updateSchema as cannedReplyUpdateSchema } from '../../services/canned-replies/canned-replies.js';
import { createCategorySchema, updateCategorySchema } from '../../services/categories/categories.js';
import { createTeamSchema, updateTeamSchema } from '../../services/teams/teams.js';
import { personalApiTokenSchema } from '../../services/auth/create-personal-api-token.js';
import { scheduleSchema } from '../../services/digest/digest-schedule.js';
import { createInboxSchema, updateInboxSchema } from '../../services/inboxes/inbox-schemas.js';
import { credentialsSchema } from '../../services/auth/issue-api-token.js';
import { createSchema as savedViewCreateSchema, updateSchema as savedViewUpdateSchema } from '../../services/views/saved-views.js';
import { draftSchema } from '../../services/drafts/save-draft.js';
import { mergeSchema } from '../../services/tickets/merge-ticket.js';
import { escalateSchema } from '../../services/tickets/escalate-ticket.js';
import { bulkSchema } from '../../services/tickets/bulk-update-tickets.js';
import { snoozeSchema } from '../../services/lifecycle/snooze-ticket.js';
import { markSpamSchema } from '../../services/spam/mark-spam.js';
import { replySchema } from '../../services/tickets/send-reply.js';
import { startConversationSchema } from '../../services/tickets/start-conversation.js';
import { changedSchema as connectionTestSchema } from '../../services/inboxes/test-inbox-connection.js';
import { patchSchema as ticketUpdateSchema } from '../../services/tickets/update-ticket.js';
import { preferencesSchema } from '../../services/users/update-own-preferences.js';
import { notificationSettingsSchema } from '../../services/users/update-own-notification-settings.js';
import { markReadSchema } from '../../services/notifications/mark-notifications-read.js';
import { createUserSchema, updateUserSchema } from '../../services/users/user-schemas.js';
import { HANDWRITTEN_SCHEMAS } from './openapi-schemas.js';
import { listOf, ref } from './openapi-json-schema.js';
import { ERROR_RESPONSES, accepted, toOpenApi, type Operation } from './openapi-operation.js';
import { ticketOperations } from './openapi-ticket-operations.js';
import { ROUTING_REQUEST_SCHEMAS, ROUTING_SCHEMAS, routingOperations } from './openapi-routing-operations.js';
import { PARTNER_REQUEST_SCHEMAS, PARTNER_SCHEMAS, partnerOperations } from './openapi-partner-operations.js';
import { KB_REQUEST_SCHEMAS, KB_SCHEMAS, kbOperations } from './openapi-kb-operations.js';
import { OAUTH_REQUEST_SCHEMAS, OAUTH_SCHEMAS, oauthOperations } from './openapi-oauth-operations.js';
import { REPORT_SCHEMAS, reportOperations } from './openapi-report-operations.js';
import { RETENTION_REQUEST_SCHEMAS, RETENTION_SCHEMAS, retentionOperations } from './openapi-retention-operations.js';
import { ACCESS_LOG_SCHEMAS, accessLogOperations } from './openapi-access-log-operations.js';
import { PERSONAL_DATA_SCHEMAS, personalDataOperations } from './openapi-personal-data-operations.js';
import { CONTACT_REQUEST_SCHEMAS, CONTACT_SCHEMAS, contactOperations } from './openapi-contact-operations.js';
import { ERASURE_REQUEST_SCHEMAS, ERASURE_SCHEMAS, erasureOperations } from './openapi-erasure-operations.js';

/** Request bodies checked by zod: generated from the very schemas the services parse with. */
const REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  Credentials: credentialsSchema,
  InboxCreate: createInboxSchema,
  InboxUpdate: updateInboxSchema,
  ConnectionTestInput: connectionTestSchema,
  DigestScheduleInput: scheduleSchema,
  TicketUpdate: ticketUpdateSchema,
  ReplyInput: replySchema,
  StartConversationInput: startConversationSchema,
  MergeInput: mergeSchema,
  EscalationInput: escalateSchema,
  BulkInput: bulkSchema,
  SnoozeInput: snoozeSchema,
  SpamInput: markSpamSchema,
  CannedReplyCreate: cannedReplyCreateSchema,
  CannedReplyUpdate: cannedReplyUpdateSchema,
  SavedViewCreate: savedViewCreateSchema,
  SavedViewUpdate: savedViewUpdateSchema,
  DraftInput: draftSchema,
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
  ...ROUTING_REQUEST_SCHEMAS,
  ...PARTNER_REQUEST_SCHEMAS,
  ...KB_REQUEST_SCHEMAS,
  ...OAUTH_REQUEST_SCHEMAS,
  ...RETENTION_REQUEST_SCHEMAS,
  ...CONTACT_REQUEST_SCHEMAS,
  ...ERASURE_REQUEST_SCHEMAS,
};

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
      patch: { id: 'updateTeam', tag: 'Teams', summary: 'Rename a team, change its level, members, inboxes or auto-assignment (admins)', description: '`memberIds` and `inboxIds` replace the lists. Members gain or lose access with their next request. A new level re-plans the SLA clocks of the team\'s active tickets (a level may have SLA targets of its own, `levelTargets`). `assignment: {mode, cap}` sets auto-assignment (`cap` left out or null: no cap); a new mode, a higher cap or new members assign the tickets waiting for a free agent, oldest first.', body: 'TeamUpdate', ok: [200, ref('Team')], errors: [400, 403, 404, 409] },
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
    '/satisfaction': {
      get: {
        id: 'listSatisfactionRatings', tag: 'Automation', summary: 'Customer satisfaction ratings of a period, with their summary',
        description: 'Ratings given on the satisfaction survey (good, okay, bad) with `ratedAt` from `from` (inclusive) to `to` (exclusive); the last 30 days by default. Admins see every inbox\'s, managers their inboxes\', agents those of their own tickets (`agent` is then ignored). `score` is the share of good ratings.',
        query: [
          { name: 'from', in: 'query', required: false, description: 'Start of the period (ISO date or date-time); 30 days before `to` by default.', schema: { type: 'string' } },
          { name: 'to', in: 'query', required: false, description: 'End of the period (exclusive); now by default.', schema: { type: 'string' } },
          { name: 'inbox', in: 'query', required: false, description: 'Only this inbox (an id the caller can see).', schema: { type: 'string' } },
          { name: 'team', in: 'query', required: false, description: 'Only tickets of this team (an id).', schema: { type: 'string' } },
          { name: 'agent', in: 'query', required: false, description: 'Only tickets assigned to this user (an id).', schema: { type: 'string' } },
        ],
        ok: [200, ref('SatisfactionRatings')], errors: [400],
      },
    },
    '/digests/send-now': {
      post: { id: 'sendDigestNow', tag: 'Automation', summary: "Queue the caller's digest now (at most 3 in 10 minutes)", ok: [202, ref('DigestSent')], errors: [403, 409, 429] },
    },
    ...ticketOperations(),
    ...routingOperations(),
    ...partnerOperations(),
    ...kbOperations(),
    ...oauthOperations(),
    ...reportOperations(),
    ...retentionOperations(),
    ...accessLogOperations(),
    ...personalDataOperations(),
    ...contactOperations(),
    ...erasureOperations(),
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
      schemas: { ...HANDWRITTEN_SCHEMAS, ...ROUTING_SCHEMAS, ...PARTNER_SCHEMAS, ...KB_SCHEMAS, ...OAUTH_SCHEMAS, ...REPORT_SCHEMAS, ...RETENTION_SCHEMAS, ...ACCESS_LOG_SCHEMAS, ...PERSONAL_DATA_SCHEMAS, ...CONTACT_SCHEMAS, ...ERASURE_SCHEMAS, ...Object.fromEntries(Object.entries(REQUEST_SCHEMAS).map(([name, schema]) => [name, accepted(schema)])) },
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
