import { querySchema as ticketQuerySchema } from '../../services/tickets/list-tickets.js';
import { listOf, ref, type JsonSchema } from './openapi-json-schema.js';
import { accepted, type Operation } from './openapi-operation.js';

/** What each ticket list filter does, by query parameter name. */
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

/** A JSON body's fields as multipart form fields (an array as a repeated field), plus files in `attachments`. */
function withFiles(bodyName: string): JsonSchema {
  return {
    allOf: [ref(bodyName)],
    type: 'object',
    description: 'The fields of the JSON body (an array as a repeated field), plus files in parts named `attachments`: each is stored as one of the caller\'s uploads (as `POST /uploads` does, same limits and scan) and sent along.',
    properties: { attachments: { type: 'array', items: { type: 'string', format: 'binary' } } },
  };
}

/** A refusal by the upload scan hook. */
const SCAN_REFUSED = { 422: { description: 'UPLOAD_REFUSED: the scan hook (ATTACHMENT_SCAN_COMMAND) refused a file, or could not scan it; the message says which file and why.', content: { 'application/json': { schema: ref('Error') } } } };

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

/** The operations on tickets (and their attachments), with the spam block list of an inbox, in document order. */
export function ticketOperations(): Record<string, Record<string, Operation>> {
  return {
    '/tickets': {
      get: {
        id: 'listTickets', tag: 'Tickets', summary: 'Tickets, newest activity first, keyset-paged', query: ticketQueryParameters(),
        description: 'Each item says whether it is `unread` for the caller: something they did not do (a mail, another agent\'s reply or note) happened after they last opened it, or they marked it unread.',
        ok: [200, ref('TicketPage')], errors: [400, 404],
      },
      post: {
        id: 'startConversation', tag: 'Tickets', summary: 'Start a conversation: a new ticket with a mail to a customer',
        description: 'Written from `inboxId` (an inbox the caller is a member of; admins: any; 404 otherwise) to `to`, the new ticket\'s requester, with `cc` if given, and blind copies to `bcc` (SMTP envelope only: no Bcc header; they do not become participants of the ticket). The ticket starts with the inbox\'s default team, takes `status` (pending unless given) and the mail is queued like a reply, with the `[#n]` token in its subject, so the customer\'s answer threads onto it. No acknowledgement is sent and the first-response clock does not run: the mail counts as the first response, and the customer\'s answer starts the next-response clock. Repeating a `requestKey` returns the ticket and mail already made. `text`, `html` or both: `html` is sanitized as a reply\'s is and the mail always has a text/plain part (`text` when it holds something, else the text of the sanitized HTML); images of the caller\'s uploads for this inbox in it (`<img src="/tickets/new/uploads/{id}">`) go as inline parts. 400 naming the field (`to` being one of our own addresses among them), 409 for a deleted inbox.',
        body: 'StartConversationInput', multipart: withFiles('StartConversationInput'), ok: [201, ref('StartedConversation')], errors: [400, 404, 409], special: SCAN_REFUSED,
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
        body: 'TicketUpdate', ok: [200, ref('TicketState')], errors: [400, 403, 404, 409],
      },
    },
    '/uploads': {
      post: {
        id: 'uploadFile', tag: 'Tickets', summary: 'Upload a file to attach to a reply or a new conversation',
        description: 'multipart/form-data: `ticketId` (a ticket the caller can work) or `inboxId` (for a new conversation from that inbox) first, then one file in the part `file`. The file is streamed into storage: over ATTACHMENT_MAX_FILE_MB it is cut off and refused (413). With a scan hook configured it is scanned before it is accepted (422 when refused). Refer to the answer\'s `id` in `uploadIds` of `POST /tickets/{id}/replies` or `POST /tickets`; only the caller can use or fetch it, and an unused upload is removed after a day. Images in a reply\'s `html` written as `<img src="{url}">` are sent as inline parts.',
        multipart: {
          type: 'object', required: ['file'],
          properties: { ticketId: { type: 'string' }, inboxId: { type: 'string' }, file: { type: 'string', format: 'binary' } },
        },
        ok: [201, {
          type: 'object', required: ['id', 'filename', 'size', 'contentType', 'url'],
          properties: { id: { type: 'string' }, filename: { type: 'string' }, size: { type: 'integer' }, contentType: { type: 'string' }, url: { type: 'string', description: 'Where the uploader fetches it on the pages; the `src` of an inline image.' } },
        }],
        errors: [404],
        special: { ...SCAN_REFUSED, 415: { description: 'UNSUPPORTED_MEDIA_TYPE: the body is not multipart/form-data.', content: { 'application/json': { schema: ref('Error') } } } },
      },
    },
    '/tickets/{id}/replies': {
      post: {
        id: 'replyToTicket', tag: 'Tickets', summary: 'Queue a reply to the requester',
        description: 'Goes To the requester and Cc the known participants of the latest customer mail (`replyRecipients` of the ticket); `to`/`cc` replace those lists, and a suggested or new address goes out only when listed there. `bcc` adds blind copies: they are in the SMTP envelope only (the mail has no Bcc header), recorded on the message (`bcc`) and the trail, and never become participants of the ticket. Every address must be a mail address and not one of our inboxes\' (400 naming the field and the address); at most 50 in To, Cc and Bcc together. Repeating a `requestKey` returns the reply already queued. With `seenUntil`, anything newer on the trail holds the reply (409). `html` is sanitized under the rules of customer mail before it is stored or sent (the sanitized HTML is what the customer gets, in the inbox\'s layout); the mail always has a text/plain part: `text` when it holds something, else the text of the sanitized HTML (links as `text [url]`).',
        body: 'ReplyInput', multipart: withFiles('ReplyInput'), ok: [202, ref('OutboxItem')], errors: [403, 404],
        special: { ...SCAN_REFUSED, 409: { description: 'CONFLICT: the ticket changed after `seenUntil`; the new items are in `details`.', content: { 'application/json': { schema: ref('ReplyConflict') } } } },
      },
    },
    '/tickets/{id}/escalation': {
      get: {
        id: 'getEscalationOptions', tag: 'Tickets', summary: 'Where the ticket may be escalated',
        description: 'The next level (or `?level=` L2–L4 above the ticket\'s) and its teams that work the ticket\'s inbox. A ticket without a team counts as L1. 403 for someone who sees it only through a team it was escalated from.',
        ok: [200, ref('EscalationOptions')], errors: [403, 404],
      },
    },
    '/tickets/{id}/escalate': {
      post: {
        id: 'escalateTicket', tag: 'Tickets', summary: 'Escalate to a team of the next level, with a note',
        description: 'Moves the ticket to a team one level up (L1 → L2 …; a ticket without a team counts as L1) that works its inbox, or with `level` to a higher level, skipping one. `teamId` picks the team when several qualify (400 naming `teamId` otherwise); with one it may be left out. `note` is required and kept as an internal note. The assignee stays only when a member of the new team. The team it left keeps seeing it, read-only (403 on changes; internal notes allowed) until it comes back to them. Its SLA clocks start over from now with the new level\'s targets. The trail records the move and the new targets. A merged ticket, or one moved meanwhile, is 409.',
        body: 'EscalationInput', ok: [200, ref('TicketState')], errors: [400, 403, 404, 409],
      },
    },
    '/tickets/{id}/snooze': {
      post: {
        id: 'snoozeTicket', tag: 'Tickets', summary: 'Snooze: hide the ticket from the lists until a time or the customer\'s reply',
        description: '`until` (ISO 8601 with its offset, in the future, at most 365 days ahead) and/or `untilReply: true`. The ticket leaves every list and view count but the Snoozed view (`snoozed=only`) and comes back, marked `backFromSnooze`, at `until` or when the customer writes, whichever comes first. Snoozing again replaces the snooze. A merged ticket is 409.',
        body: 'SnoozeInput', ok: [200, ref('TicketState')], errors: [400, 403, 404, 409],
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
    '/tickets/{id}/draft': {
      get: { id: 'getDraft', tag: 'Tickets', summary: "The caller's reply draft on the ticket", description: 'Drafts are per user and ticket and seen by their owner alone (the ticket page saves the same one). 404 when the caller has no draft on it.', ok: [200, ref('Draft')], errors: [403, 404] },
      put: { id: 'saveDraft', tag: 'Tickets', summary: "Save the caller's reply draft on the ticket", description: 'Replaces the draft before. Its HTML is sanitized as a reply\'s is (the images of the caller\'s own uploads for the ticket stay); `uploadIds` keeps the caller\'s own uploads for this ticket and leaves any other id out. A text of only white space, without HTML or files, removes the draft (204). Sending a reply to the ticket removes the draft; a reply held because the ticket changed keeps it.', body: 'DraftInput', ok: [200, ref('Draft')], errors: [400, 403, 404] },
      delete: { id: 'deleteDraft', tag: 'Tickets', summary: "Discard the caller's reply draft on the ticket", ok: [204], errors: [403, 404] },
    },
    '/tickets/{id}/notes': { post: { id: 'addNote', tag: 'Tickets', summary: 'Add an internal note', description: 'Each person it mentions with `@handle` (the part of their email address before the `@`, or their whole address) who can see the ticket is notified once.', body: 'NoteInput', ok: [201, ref('Message')], errors: [404] } },
    '/tickets/{id}/merge': {
      post: { id: 'mergeTicket', tag: 'Tickets', summary: 'Merge this ticket into another of the same requester', ok: [200, ref('TicketSummary'), 'The surviving ticket.'], body: 'MergeInput', errors: [403, 404, 409] },
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
  };
}
