import { ERROR_CODES } from '../../domain/errors.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../../domain/ticket-status.js';
import { IMPACT_LEVELS, URGENCY_LEVELS } from '../../domain/priority-matrix.js';
import { TEAM_LEVELS } from '../../domain/teams.js';
import { MESSAGE_DIRECTIONS } from '../../domain/message-directions.js';
import { OUTBOX_STATES } from '../../domain/outbox.js';
import { TICKET_EVENT_ACTOR_KINDS, TICKET_EVENT_TYPES } from '../../domain/ticket-events.js';
import { arrayOf, boolean, dateTime, enumOf, integer, nullable, object, objectId, ref, string, type JsonSchema } from './openapi-json-schema.js';

const address = object({ address: string, name: nullable(string) });

const ticketSla = object({
  firstResponseDueAt: nullable(dateTime),
  nextResponseDueAt: nullable(dateTime),
  resolutionDueAt: nullable(dateTime),
  firstRespondedAt: nullable(dateTime),
  awaitingSince: nullable(dateTime),
  pausedAt: nullable(dateTime),
  pausedSeconds: integer,
  escalationLevel: integer,
  breachedAt: nullable(dateTime),
});

const slaAttainment: JsonSchema = { ...nullable(enumOf(['met', 'breached'])), description: 'Judged when the clock stopped: met by its due time, breached after it (or a breach was recorded); null when the target did not run or has not stopped yet.' };

// src/services/tickets/ticket-view.ts toTicketMetrics; the definitions: README "Metric definitions".
const ticketMetrics: JsonSchema = {
  ...object({
    firstResponseAt: { ...nullable(dateTime), description: 'The first agent reply (auto-replies excluded); null before it, and for a conversation an agent started.' },
    firstResponseSeconds: { ...nullable(integer), description: 'From the first customer message to the first agent reply, calendar seconds.' },
    firstResponseBusinessSeconds: { ...nullable(integer), description: 'The same in the business hours of the inbox\'s SLA policy (equal to calendar seconds without business hours).' },
    lastSolvedAt: { ...nullable(dateTime), description: 'The last transition to solved; kept when closed or reopened (until solved again).' },
    resolutionSeconds: { ...nullable(integer), description: 'From the first customer message to the last transition to solved, calendar seconds.' },
    resolutionBusinessSeconds: { ...nullable(integer), description: 'The same in business seconds.' },
    reopenCount: { ...integer, description: 'Moves from solved or closed back to an active status.' },
    sla: { ...object({ firstResponse: slaAttainment, nextResponse: slaAttainment, resolution: slaAttainment }), description: 'SLA attainment per target.' },
  }),
  description: 'The metrics stored on the ticket when their events happened.',
};

// src/services/ticket-view.ts toTicketSummary.
const ticketSummaryProperties: Record<string, JsonSchema> = {
  id: objectId,
  number: integer,
  subject: string,
  status: enumOf(TICKET_STATUSES),
  priority: enumOf(TICKET_PRIORITIES),
  inboxId: objectId,
  requester: object({ email: string, name: nullable(string) }),
  assigneeId: nullable(objectId),
  teamId: { ...nullable(objectId), description: 'The team working the ticket (its members see it); null for none.' },
  level: { ...nullable(enumOf(TEAM_LEVELS)), description: 'The level of the ticket\'s team; null without a team.' },
  categoryId: { ...nullable(objectId), description: 'The ticket\'s category; null for none.' },
  impact: { ...nullable(enumOf(IMPACT_LEVELS)), description: 'ITIL impact; null when not assessed.' },
  urgency: { ...nullable(enumOf(URGENCY_LEVELS)), description: 'ITIL urgency; null when not assessed.' },
  tags: arrayOf(string),
  messageCount: integer,
  lastActivityAt: dateTime,
  createdAt: dateTime,
  updatedAt: dateTime,
  sla: ticketSla,
  snooze: {
    ...nullable(object({ until: nullable(dateTime), untilReply: boolean })),
    description: 'Snoozed: left out of the lists (but the Snoozed view) until `until` (null: no time) or, with `untilReply`, until the customer writes; null when not snoozed.',
  },
  backFromSnooze: {
    ...nullable(object({ at: dateTime, reason: enumOf(['time', 'customer_replied']) })),
    description: 'Back from a snooze (its time came, or the customer wrote) and not acted on yet; null otherwise. A reply, a note or any change clears it.',
  },
  satisfaction: {
    ...nullable(object({ rating: enumOf(['good', 'okay', 'bad']), at: dateTime })),
    description: 'The customer\'s answer to the satisfaction survey (the last one, if changed within 7 days); `bad` flags the ticket. Null: not rated.',
  },
  metrics: ticketMetrics,
  waitingForAgent: {
    ...nullable(object({ teamId: objectId, since: dateTime })),
    description: 'Auto-assignment found every member of the team away or at the cap: the ticket waits, unassigned, for a free agent (since when); it is assigned as soon as one is free, oldest first. Null otherwise.',
  },
};

// src/services/tickets/ticket-view.ts toTicketClassification.
const ticketClassificationProperties: Record<string, JsonSchema> = {
  categoryId: { ...nullable(objectId), description: 'The ticket\'s category; null for none.' },
  teamId: { ...nullable(objectId), description: 'The team working the ticket (its members see it); null for none.' },
  impact: { ...nullable(enumOf(IMPACT_LEVELS)), description: 'ITIL impact; null when not assessed.' },
  urgency: { ...nullable(enumOf(URGENCY_LEVELS)), description: 'ITIL urgency; null when not assessed.' },
  priorityOverridden: { ...boolean, description: 'The priority was set by hand: impact and urgency no longer move it.' },
};

/** The shapes of tickets, their messages, trail and attachments, and of the answers of ticket changes, in document order. */
export const TICKET_SCHEMAS: Record<string, JsonSchema> = {
  TicketSummary: object(ticketSummaryProperties),
  TicketState: { ...object({ ...ticketSummaryProperties, ...ticketClassificationProperties }), description: 'The ticket after the change.' },
  EscalationOptions: {
    ...object({
      level: { ...nullable(enumOf(TEAM_LEVELS)), description: 'The level it would go to; null above L4.' },
      teams: arrayOf(object({ id: objectId, name: string, level: enumOf(TEAM_LEVELS) })),
    }),
    description: 'The teams a ticket may be escalated to: those at the level that work its inbox (its own team left out).',
  },
  BulkResult: object({
    action: string, updated: { ...integer, description: 'Tickets done (also those the change left as they were).' }, failed: integer,
    results: { ...arrayOf({ oneOf: [object({ id: string, ok: { const: true } }), object({ id: string, ok: { const: false }, error: { ...object({ code: enumOf(Object.keys(ERROR_CODES)), message: string, details: { type: 'object' } }, ['details']), description: 'As a request about that ticket alone would answer.' } })] }), description: 'One per distinct id, in the order sent.' },
  }),
  TicketListItem: object({
    ...ticketSummaryProperties,
    unread: { type: 'boolean', description: 'For the caller only: something they did not do (a mail, another agent\'s reply or note) happened after they last opened the ticket, or they marked it unread.' },
  }),
  TicketReadState: object({ id: objectId, unread: boolean }),
  Draft: object({
    ticketId: objectId,
    text: string,
    html: { ...nullable(string), description: "The reply editor's HTML of the draft (text is its plain-text version), or null for a text-only draft." },
    cc: { ...nullable(arrayOf(string)), description: 'The Cc addresses chosen for the reply, or null to keep the proposed Cc.' },
    to: { ...nullable(arrayOf(string)), description: 'The To addresses chosen for the reply, or null to keep the proposed To.' },
    bcc: { ...nullable(arrayOf(string)), description: 'The blind copies chosen for the reply (none when null).' },
    uploads: { ...arrayOf(object({ id: objectId, filename: string, contentType: string, size: integer })), description: "The caller's uploads for this ticket attached to the reply (`uploadIds` when saved), in that order. A draft keeps them from the day-old clean-up of unused uploads." },
    updatedAt: dateTime,
  }),
  TicketPage: object({ items: arrayOf(ref('TicketListItem')), nextCursor: { ...nullable(string), description: 'Pass as `cursor` for the next page; null on the last page.' } }),
  Ticket: object({
    ...ticketSummaryProperties,
    ...ticketClassificationProperties,
    mergedInto: { ...nullable(object({ id: objectId, number: integer })), description: 'Where this ticket was merged into, when the caller can see it.' },
    spam: { ...nullable(object({ at: nullable(dateTime), block: nullable(object({ kind: enumOf(['sender', 'domain']), value: string })) })), description: 'While the ticket is in Spam: since when, and the block-list entry its marking added (or, for mail that came straight into Spam, matched); null otherwise.' },
    messages: { ...arrayOf(ref('Message')), description: 'In arrival order.' },
    events: { ...arrayOf(ref('TicketEvent')), description: 'The trail, oldest first.' },
    replyRecipients: {
      ...nullable(object({
        to: arrayOf(address),
        cc: arrayOf(address),
        suggested: { ...arrayOf(object({ address: string, name: nullable(string), reason: enumOf(['reply-to', 'new-address', 'bouncing']) })), description: 'Not used unless passed in `to` or `cc` of the reply.' },
      })),
      description: 'Whom a reply goes to by default: To the requester, Cc the known participants of the latest customer mail. Null on a merged ticket.',
    },
  }),
  Attachment: object({ id: objectId, filename: nullable(string), contentType: string, size: integer, inline: boolean, contentId: nullable(string) }),
  Message: object({
    id: objectId,
    direction: enumOf(MESSAGE_DIRECTIONS),
    messageId: nullable(string),
    from: nullable(address),
    to: arrayOf(address),
    cc: arrayOf(address),
    bcc: { ...arrayOf(address), description: 'Blind copies of our own mail: they were in the SMTP envelope only, never in a header. Empty for received mail.' },
    subject: nullable(string),
    text: nullable(string),
    html: nullable(string),
    attachments: arrayOf(ref('Attachment')),
    flags: object({ autoSubmitted: boolean, autoSubmittedReason: nullable(string), bounce: boolean, autoReply: boolean, htmlTooComplex: boolean }),
    createdAt: dateTime,
  }),
  TicketEvent: object({
    id: objectId,
    type: enumOf(TICKET_EVENT_TYPES),
    actor: object({ kind: enumOf(TICKET_EVENT_ACTOR_KINDS), id: nullable(objectId), label: nullable(string) }),
    data: { type: 'object', description: 'Depends on `type`, e.g. `{from, to}` for status_changed; `{ticketId, number, reason}` for linked and related, with `ticketId` and `number` null when the caller cannot see that ticket.' },
    at: dateTime,
  }),
  OutboxItem: object({ id: objectId, messageId: string, state: enumOf(OUTBOX_STATES), subject: string, to: arrayOf(string), cc: arrayOf(string), bcc: { ...arrayOf(string), description: 'Blind copies (SMTP envelope only).' }, createdAt: dateTime }),
  StartedConversation: object({
    ticket: object({ id: objectId, number: integer, status: enumOf(TICKET_STATUSES), subject: string }),
    outbox: ref('OutboxItem'),
  }),
};
