import { ERROR_CODES } from '../../domain/errors.js';
import { TICKET_PRIORITIES } from '../../domain/ticket-status.js';
import { TEAM_LEVELS } from '../../domain/teams.js';
import { ASSIGNMENT_MODES } from '../../domain/auto-assign.js';
import { TICKET_AGE_BUCKETS } from '../../domain/ticket-age.js';
import { PASSWORD_TOKEN_PURPOSES } from '../../domain/password-links.js';
import { USER_ROLES } from '../../domain/user-roles.js';
import { LOCALES } from '../../i18n/locales.js';
import { NOTIFICATION_KINDS } from '../../domain/notifications.js';
import { QUARANTINE_REASONS } from '../../domain/quarantine-reasons.js';
import { arrayOf, boolean, dateTime, enumOf, integer, nullable, object, objectId, ref, string, type JsonSchema } from './openapi-json-schema.js';
import { TICKET_SCHEMAS } from './openapi-ticket-schemas.js';

/** A user as the API shows them (never the password hash). */
const userProperties = (): Record<string, JsonSchema> => ({
  id: objectId,
  email: string,
  name: nullable(string),
  role: enumOf(USER_ROLES),
  inboxIds: arrayOf(objectId),
  disabled: boolean,
  away: { ...boolean, description: 'Marked themself away.' },
  awaySince: nullable(dateTime),
  kbEditor: { ...boolean, description: 'An agent allowed to write knowledge base articles (admins and managers always may).' },
  lastLoginAt: nullable(dateTime),
  createdAt: dateTime,
  updatedAt: dateTime,
});

const slaTargets = object({ firstResponseSeconds: nullable(integer), nextResponseSeconds: nullable(integer), resolutionSeconds: nullable(integer) });
const slaTargetsTable = object(Object.fromEntries(TICKET_PRIORITIES.map((p) => [p, slaTargets])), []);
const slaPolicyProperties: Record<string, JsonSchema> = {
  targets: slaTargetsTable,
  levelTargets: {
    ...object(Object.fromEntries(TEAM_LEVELS.map((level) => [level, slaTargetsTable])), [...TEAM_LEVELS]),
    description: 'Support levels with targets of their own: a full table per priority that replaces `targets` for the tickets whose team works at that level. A level left out, and a ticket without a team, uses `targets`.',
  },
  businessHours: nullable(ref('BusinessHours')),
  keptBusinessHours: {
    ...nullable(ref('BusinessHours')),
    description: 'The calendar kept while `businessHours` is null (24/7), so it can be switched on again; never used for due times.',
  },
  reminderAtFraction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
  ladder: arrayOf(ref('EscalationLevel')),
  pauseWithPartner: { ...boolean, description: 'The clocks stop while the ticket waits on an outside partner (`with_partner`), as while pending. Default true.' },
};

const accountCheck = object(
  {
    ok: boolean,
    code: { type: 'string', description: '`OK`, or what went wrong (IMAP_AUTH_FAILED, SMTP_UNREACHABLE, …).' },
    message: { type: 'string', description: 'What happened, in words (e.g. `connection refused`, `timed out`); never the server\'s banner or reply.' },
    ms: { type: 'integer', minimum: 0 },
    messages: integer,
    uidValidity: string,
    detail: { type: 'string', description: 'On a socket or TLS failure: Node\'s or OpenSSL\'s own words (e.g. `wrong version number`), for admins; never the server\'s text.' },
  },
  ['messages', 'uidValidity', 'detail'],
);

/** Active tickets in all, per priority and per age bucket (src/services/teams/team-load.ts). */
const loadCounts = object({
  total: integer,
  priority: object(Object.fromEntries(TICKET_PRIORITIES.map((p) => [p, integer]))),
  age: object(Object.fromEntries(TICKET_AGE_BUCKETS.map((b) => [b, integer]))),
});
const loadSection: Record<string, JsonSchema> = {
  agents: {
    ...arrayOf(object({
      id: objectId, name: nullable(string), email: string, away: boolean, awaySince: nullable(dateTime), disabled: boolean,
      member: { ...boolean, description: 'A member of the team (shown even with no tickets); false for anyone else assigned its tickets.' },
      counts: loadCounts,
    })),
    description: 'Members by name, then other assignees by name.',
  },
  unassigned: loadCounts,
  total: loadCounts,
};

const pollerStates = ['starting', 'connecting', 'syncing', 'idle', 'polling', 'backoff', 'error', 'stopped'];

/**
 * The hand-written shapes: every response, following the view functions in src/services/ (and the few
 * routes that shape their own answer), and the two request bodies validated without zod (SLA policy, note).
 */
export const HANDWRITTEN_SCHEMAS: Record<string, JsonSchema> = {
  Error: object({
    error: object(
      {
        code: enumOf(Object.keys(ERROR_CODES)),
        message: string,
        details: {
          type: 'object',
          description: 'Safe to show. VALIDATION_FAILED carries `issues`, one per offending field.',
          properties: { issues: arrayOf(ref('ValidationIssue')) },
        },
      },
      ['details'],
    ),
  }),
  ValidationIssue: object({ path: { type: 'string', description: 'Dotted field path; empty for the input as a whole.' }, message: string }),
  ReplyConflict: object({
    error: object({
      code: { const: 'CONFLICT' },
      message: string,
      details: object({
        items: arrayOf(object({ id: objectId, kind: enumOf(['customer_message', 'reply', 'note']), at: dateTime })),
        seenUntil: { ...dateTime, description: 'Send the reply again with this `seenUntil` once the new items are read.' },
      }),
    }),
  }),
  Me: object({ id: objectId, email: string, name: nullable(string), role: enumOf(USER_ROLES), inboxIds: arrayOf(objectId), away: boolean, awaySince: nullable(dateTime) }),
  Preferences: object({
    locale: { ...nullable(enumOf(LOCALES)), description: 'The language of pages and mail to this user; null follows the browser.' },
    timeZone: { ...nullable(string), description: 'An IANA time zone ("Europe/Paris"); null is the instance default.' },
    away: { ...boolean, description: 'Marked themself away (shown on the team load and in the top bar).' },
    awaySince: { ...nullable(dateTime), description: 'When they became away; null while not away.' },
  }),
  NotificationSettings: {
    ...object(Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, ref('NotificationSetting')]))),
    description: 'Every kind of notification, whether it is mailed to the caller.',
  },
  NotificationSetting: object({
    enabled: { ...boolean, description: 'Mailed to the caller: their choice, else the default.' },
    chosen: { ...nullable(boolean), description: 'Their own choice; null while they follow the default.' },
    default: { ...boolean, description: 'What applies without a choice (`team_new_ticket`: off when every team of theirs has more than 5 members).' },
  }),
  Notification: object({
    id: objectId,
    kind: enumOf(NOTIFICATION_KINDS),
    ticket: { ...object({ id: objectId, number: integer, subject: string }), description: 'The ticket as named when it happened; open it by `id`.' },
    at: { ...dateTime, description: 'When it happened.' },
    data: { type: 'object', description: 'Depends on `kind`: who did it, an excerpt, the SLA clock and due time…' },
    read: boolean,
    readAt: nullable(dateTime),
  }),
  NotificationsMarked: object({ marked: { ...integer, description: 'How many were unread and are now read.' } }),
  IssuedToken: object({ token: string, expiresAt: dateTime }),
  ApiToken: object({ id: objectId, label: nullable(string), createdAt: dateTime, lastUsedAt: nullable(dateTime), expiresAt: nullable(dateTime), expired: boolean }),
  PersonalApiToken: object({ id: objectId, token: { type: 'string', description: 'Shown once; only its hash is stored.' }, label: string, expiresAt: dateTime }),
  User: object(userProperties()),
  CreatedUser: object({
    ...userProperties(),
    invitationEmailed: { ...boolean, description: 'Whether an invite link was queued to the new user (added without a password, and an inbox can send).' },
  }),
  PasswordLink: object({
    token: string,
    path: { type: 'string', description: "The page that sets the password, relative to Threadline's public URL." },
    purpose: enumOf(PASSWORD_TOKEN_PURPOSES),
    expiresAt: dateTime,
    invitationEmailed: { ...boolean, description: 'Whether the link was also queued to the user by email (false when no inbox can send).' },
  }),
  InboxStatus: {
    description: "What the inbox's poller last reported; `unknown` before it ever did.",
    anyOf: [
      object({ state: { const: 'unknown' } }),
      object({
        state: enumOf(pollerStates),
        lastSyncAt: nullable(dateTime),
        behind: integer,
        backlog: nullable(object({ total: integer, done: integer, since: nullable(dateTime) }, ['since'])),
        lastError: nullable(object({ code: string, message: string, at: dateTime })),
        nextAttemptAt: nullable(dateTime),
      }),
    ],
  },
  Inbox: object({
    id: objectId,
    name: string,
    address: string,
    displayName: nullable(string),
    imap: {
      ...object({ host: string, port: integer, secure: boolean, user: nullable(string), folder: string, hasPassword: boolean }, ['host', 'user']),
      description: '`host` and `user` are sent to admins only. A stored password is used only with the saved host, port, TLS mode and user.',
    },
    smtp: {
      ...object({ host: string, port: integer, secure: boolean, user: nullable(string), hasPassword: boolean }, ['host', 'user']),
      description: '`host` and `user` are sent to admins only. A stored password is used only with the saved host, port, TLS mode and user.',
    },
    options: object({ markSeen: boolean, moveTo: nullable(string), importSince: nullable(dateTime) }),
    defaultLocale: { ...enumOf(LOCALES), description: 'The language of customers whose own cannot be told from their mail.' },
    defaultTeamId: { ...nullable(objectId), description: 'The team new tickets of this inbox start with (a team that works this inbox); null: none.' },
    autoReply: {
      ...object({
        enabled: boolean,
        suggestArticles: { ...boolean, description: 'Whether the acknowledgement lists up to 3 matching published help center articles in the customer’s language (default true).' },
        subject: nullable(string),
        template: nullable(string),
        overrides: object(Object.fromEntries(LOCALES.map((l) => [l, object({ subject: nullable(string), template: nullable(string) })]))),
      }),
      description: '`subject` and `template` are the overrides of the default language; `overrides` has them per language.',
    },
    branding: object({ signature: nullable(string), primaryColor: nullable(string), logoUrl: nullable(string) }),
    autoCloseAfterDays: { type: 'integer', minimum: 0, description: 'Days a solved ticket waits for the customer before it closes on its own; 0: never (default 4).' },
    pendingReminderAfterDays: { type: 'integer', minimum: 0, description: 'Days a pending ticket waits before its assignee is reminded; 0: never (default 3).' },
    quoteHistory: { ...boolean, description: 'Whether an agent’s reply quotes the customer’s previous mail below it (HTML `<blockquote type="cite">`, text `> ` lines), as mail clients do. Default true.' },
    satisfaction: {
      ...object({ enabled: boolean, mode: enumOf(['solved', 'delayed']), delayHours: { type: 'integer', minimum: 0 }, askEveryDays: { type: 'integer', minimum: 0 } }),
      description: 'The satisfaction survey mailed to the customer when a ticket is solved (default off): `mode` `solved` sends it with the solve, `delayed` `delayHours` later (skipped if the ticket was reopened meanwhile); a customer is asked at most once per `askEveryDays` days per inbox (default 30; 0: every solve).',
    },
    disabled: {
      ...nullable(object({ at: dateTime, reason: string, detail: nullable(string) })),
      description: 'Set while the inbox is disabled: not polled, its queued mail held until it is enabled again; its tickets stay workable. `reason`: `admin` (disabled by an admin) or `connection-test` (saved while its connection test failed). Null: enabled.',
    },
    createdAt: dateTime,
    updatedAt: dateTime,
    status: ref('InboxStatus'),
  }),
  InboxDelete: {
    ...object({ mode: enumOf(['keep', 'move']), moveTo: nullable(objectId), confirmName: string }, ['moveTo']),
    description: '`keep`: the inbox is deleted but its tickets stay, read-only (listed, searchable, no replies). `move`: every ticket, with the inbox\'s messages, canned replies and own categories, goes to `moveTo` (another inbox), users and teams lose the inbox, then it is removed. `confirmName`: the inbox\'s name typed again.',
  },
  InboxDeleteResult: object({ mode: enumOf(['keep', 'move']), moved: integer, to: objectId }, ['moved', 'to']),
  AccountCheck: accountCheck,
  ConnectionTestResult: object({ imap: ref('AccountCheck'), smtp: ref('AccountCheck') }),
  BusinessHours: object({
    timeZone: { type: 'string', description: 'An IANA time zone, e.g. `Europe/Berlin`.' },
    weekly: arrayOf(
      object({
        day: { type: 'integer', minimum: 0, maximum: 6, description: '0 = Sunday … 6 = Saturday.' },
        open: { type: 'string', pattern: '^\\d{2}:\\d{2}$' },
        close: { type: 'string', pattern: '^\\d{2}:\\d{2}$', description: '`24:00` closes at midnight.' },
      }),
    ),
    holidays: arrayOf({ type: 'string', format: 'date' }),
  }),
  EscalationLevel: object(
    {
      level: { type: 'integer', minimum: 1 }, name: string, userIds: arrayOf(string), afterSeconds: { type: 'integer', minimum: 0 },
      escalateTo: { ...nullable(enumOf(TEAM_LEVELS)), description: 'This step also moves the ticket to a team of this level that works its inbox (with several, the first by name); absent or null: it only tells people.' },
    },
    ['escalateTo'],
  ),
  SlaPolicy: { ...object(slaPolicyProperties, ['keptBusinessHours', 'pauseWithPartner']), description: 'Targets in business seconds per priority (and per support level in `levelTargets`); null means no target for that clock.' },
  SlaPolicyInput: {
    ...object(slaPolicyProperties, ['businessHours', 'keptBusinessHours', 'levelTargets', 'reminderAtFraction', 'ladder', 'pauseWithPartner']),
    description: '`businessHours`, `keptBusinessHours`, `levelTargets`, `reminderAtFraction` and `ladder` default to null (24/7), null, {} (every level uses `targets`), 0.75 and [].',
  },
  InboxSla: object({ policy: ref('SlaPolicy'), isDefault: boolean }),
  DigestSchedule: object({ enabled: boolean, cron: string, timeZone: string, inboxIds: arrayOf(objectId), lastSentAt: nullable(dateTime) }),
  SatisfactionRatings: {
    ...object({
      from: dateTime,
      to: dateTime,
      summary: object({ good: integer, okay: integer, bad: integer, total: integer, score: { ...nullable({ type: 'number' }), description: 'The share of good ratings (0 to 1); null without any rating.' } }),
      items: arrayOf(object({ ticketId: objectId, inboxId: objectId, teamId: nullable(objectId), assigneeId: nullable(objectId), assigneeName: nullable(string), rating: enumOf(['good', 'okay', 'bad']), comment: nullable(string), ratedAt: dateTime, changedAt: nullable(dateTime) })),
    }),
    description: '`summary` counts every rating of the filter; `items` lists the newest 500. Team and assignee are those of the ticket when the customer was asked.',
  },
  DigestSent: object({
    outboxId: objectId,
    messageId: string,
    subject: string,
    to: arrayOf(string),
    empty: boolean,
    counts: object({ new: integer, solved: integer, reopened: integer }),
    satisfaction: {
      ...object({ good: integer, okay: integer, bad: integer, total: integer, score: { ...nullable({ type: 'number' }), description: 'Share of good ratings, 0..100 with one decimal; null without ratings.' } }),
      description: 'Ratings customers gave in the period on tickets of the digest\'s inboxes (the mail also quotes the latest comments).',
    },
  }),
  ...TICKET_SCHEMAS,
  QuarantinedMail: object({
    id: objectId,
    inboxId: objectId,
    reason: { ...string, description: 'The code of why the mail was set aside: MAIL_UNPARSEABLE, MAIL_TOO_LARGE, INGEST_FAILED (failed again and again), BOUNCE_UNMATCHED, NOTIFICATION_REPLY_REFUSED (a security refusal), or a code of a later version.' },
    reasonKey: { ...enumOf([...QUARANTINE_REASONS, 'OTHER']), description: '`reason`, or OTHER for a code this version does not know.' },
    detail: string,
    from: nullable(string),
    subject: nullable(string),
    size: { ...integer, description: 'Bytes of the raw mail.' },
    createdAt: dateTime,
    source: { ...nullable(object({ folder: string, uidValidity: string, uid: integer })), description: 'Where the poller found it; null for mail that came another way.' },
    hasRaw: { ...boolean, description: 'Whether the raw mail is kept (`GET /quarantine/{id}/raw`).' },
    canIngest: { ...boolean, description: 'Whether `POST /quarantine/{id}/ingest` is allowed: never for security refusals.' },
  }),
  SpamBlock: object({
    id: objectId,
    kind: enumOf(['sender', 'domain']),
    value: { ...string, description: 'The address or the domain, lower-case.' },
    ticketId: { ...nullable(objectId), description: 'The ticket whose marking added it.' },
    by: { ...nullable(objectId), description: 'Who marked that ticket.' },
    createdAt: dateTime,
  }),
  QuarantinePage: object({ items: arrayOf(ref('QuarantinedMail')), nextCursor: { ...nullable(string), description: 'Pass as `cursor` for the next page; null on the last page.' } }),
  QuarantineIngestResult: object(
    {
      outcome: { ...enumOf(['ingested', 'still-quarantined']), description: '`ingested`: the mail is on `ticketId` and left the quarantine; `still-quarantined`: the pipeline set it aside again (`reason`), it stays.' },
      ticketId: objectId,
      created: { ...boolean, description: 'Whether the mail opened a new ticket (false: it joined one, or was already there).' },
      reason: string,
    },
    ['ticketId', 'created', 'reason'],
  ),
  Category: object({ id: objectId, name: string, inboxId: { ...nullable(objectId), description: 'null: a category of every inbox.' }, archived: boolean, createdAt: dateTime, updatedAt: dateTime }),
  TeamLoad: object({
    at: { ...dateTime, description: 'The moment ticket ages are counted from.' },
    teams: { ...arrayOf(object({ id: objectId, name: string, level: enumOf(TEAM_LEVELS), assignment: object({ mode: enumOf(ASSIGNMENT_MODES), cap: nullable(integer) }), ...loadSection })), description: 'By level, then name; `assignment` is the team\'s auto-assignment (mode and per-agent cap).' },
    noTeam: { ...object(loadSection), description: 'The tickets without a team (`team=none` in the list).' },
  }),
  Team: object({
    id: objectId, name: string, level: enumOf(TEAM_LEVELS), memberIds: arrayOf(objectId), inboxIds: { ...arrayOf(objectId), description: 'The inboxes whose tickets the team may work.' },
    assignment: {
      ...object({ mode: enumOf(ASSIGNMENT_MODES), cap: { ...nullable(integer), description: 'The most open (new, open, pending, with partner) tickets of the team per agent; null: no cap.' } }),
      description: 'Auto-assignment (the routing rules\' "auto-assign" action): `round_robin` in turns in member order (passing over anyone ahead of the least loaded agent), `least_open` to whoever has the fewest open; agents away or at the cap are passed over; `none`: off.',
    },
    createdAt: dateTime, updatedAt: dateTime,
  }),
  CannedReply: object({ id: objectId, inboxId: objectId, title: string, body: string, createdAt: dateTime, updatedAt: dateTime }),
  RenderedCannedReply: object({ id: objectId, title: string, text: { type: 'string', description: 'Filled in for the ticket and the caller; plain text.' } }),
  SavedView: object({
    id: objectId,
    name: string,
    filters: { type: 'object', description: 'The ticket list filters, as `GET /tickets` takes them.', properties: Object.fromEntries(['inbox', 'status', 'assignee', 'teams', 'team', 'level', 'priority', 'age', 'category', 'tag', 'q', 'due'].map((k) => [k, { type: 'string' }])), additionalProperties: false },
    createdAt: dateTime,
    updatedAt: dateTime,
  }),
  NoteInput: object({ text: { type: 'string', minLength: 1, maxLength: 100_000, description: 'Trimmed; must not be empty.' } }),
};

// `POST /inboxes` answers the new inbox with the connection test it was saved after.
HANDWRITTEN_SCHEMAS.InboxCreated = object({
  ...(HANDWRITTEN_SCHEMAS.Inbox as { properties: Record<string, JsonSchema> }).properties,
  connectionTest: {
    ...nullable(ref('ConnectionTestResult')),
    description: 'The test of what was saved (null when this server makes no network checks). When an account failed, the inbox is saved disabled: `disabled.reason` is `connection-test` and `disabled.detail` says what failed in words, in the caller\'s language.',
  },
});
