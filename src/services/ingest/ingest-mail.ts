import { Types } from 'mongoose';
import { isAutoReplyReport, type BounceReport } from '../../domain/bounce.js';
import { AppError } from '../../domain/errors.js';
import { mailFacts, type MailFacts, type StoredCopy } from '../../domain/ingest-classify.js';
import { fileReport, inboundMessage, openingTicket, planTicketUpdate, type MailFollowUp, type TicketAsFound } from '../../domain/ingest-plan.js';
import { DEFAULT_MAX_PARTICIPANTS_PER_MAIL } from '../../domain/participants.js';
import { onPartnerAnswered } from '../../domain/side-conversations.js';
import type { SpamBlock } from '../../domain/spam.js';
import { messageSearchTerms } from '../../domain/ticket-search.js';
import type { ThreadDecision } from '../../domain/thread-decision.js';
import type { IngestWriteBuffer } from '../../store/ingest-writes.js';
import { detectLocale, ownWords, type LocaleGuess } from './customer-locale.js';
import { ticketOfBouncedMessage } from './file-bounce.js';
import { fileNotificationReply } from './file-notification-reply.js';
import { findThread, type ThreadingBatch } from './find-thread.js';
import { storeFiles, type ClassifiedMail } from './ingest-look-up.js';
import type { IngestDeps, IngestResult } from './ingest-ports.js';
import { quarantineMail } from './quarantine-mail.js';

type Id = Types.ObjectId;

/** The batch a mail is ingested in: threading's view of it, its writes, and what it read once for all. */
export interface MailBatch extends ThreadingBatch {
  writes: IngestWriteBuffer;
  /** Our own addresses, which never become participants. */
  own: ReadonlySet<string>;
}

/** What became of one mail; its writes wait in the batch. */
export interface MailOutcome {
  result: IngestResult;
  /** What the result still depends on: nothing, the batch's delivery notes, or the batch's writes. */
  waits: 'nothing' | 'deliveries' | 'writes';
  /** The message the mail stored or finishes; if another process stored that mail first, the batch drops its writes. */
  messageDocId?: Id;
  followUp?: MailFollowUp<Id>;
}

/**
 * Ingests one mail of a batch, by its class: a duplicate or our own echo needs nothing but a delivery
 * note; an answer to a notification becomes an agent's note, or is quarantined (file-notification-reply.ts); a mailer report is filed on the ticket of the mail it reports on; a person's mail is threaded
 * (look-ups, then decideThread), gets its ticket (opened now, if new, so later mails of the batch can
 * join it) and its message, and a plan of what changes on its ticket. The plan's writes wait in the
 * batch, which applies them together. Safe to run again for the same mail at any point: the dedupe
 * key makes the message insert the commit point, and every later step converges.
 */
export async function ingestMail(deps: IngestDeps, batch: MailBatch, m: ClassifiedMail): Promise<MailOutcome> {
  const at = deps.now();
  const facts = mailFacts(m.mail, batch.own, deps.settings.maxParticipantsPerMail ?? DEFAULT_MAX_PARTICIPANTS_PER_MAIL, at);
  const { cls } = m;
  switch (cls.kind) {
    case 'echo':
      return { result: { outcome: 'duplicate', ticketId: cls.ticketId }, waits: 'nothing' };
    case 'duplicate':
      batch.writes.addDelivery(cls.copy.messageDocId, m.inboxId);
      return { result: { outcome: 'duplicate', ticketId: cls.copy.ticketId }, waits: 'deliveries' };
    case 'resume':
      batch.writes.addDelivery(cls.copy.messageDocId, m.inboxId);
      return cls.report ? finishReport(batch, cls.report, cls.copy.ticketId, cls.copy.messageDocId, at) : resume(deps, batch, m, cls.copy, facts, at);
    case 'notification-reply':
      return { result: await fileNotificationReply(deps, m, cls.tag, facts), waits: 'nothing' };
    case 'report':
      return fileNewReport(deps, batch, m, cls.report, facts, at);
    case 'customer':
      return fileCustomerMail(deps, batch, m, facts, at);
  }
}

/*
 * `m.blocked`: the inbox's block-list entry the sender matches, looked up once for the batch
 * (ingest-look-up.ts). A blocked sender's mail is kept and threaded like any other, but quietly
 * (domain/ingest-plan.ts planTicketUpdate): a new conversation opens in Spam, a reply changes and tells nothing.
 */
async function fileCustomerMail(deps: IngestDeps, batch: MailBatch, m: ClassifiedMail, facts: MailFacts, at: Date): Promise<MailOutcome> {
  const blocked = m.blocked;
  const decision = await findThread(deps, m.mail, m.inboxId, facts.sender, batch);
  deps.onStep?.('threaded');
  if (decision.kind === 'side') return fileSideReply(deps, batch, m, decision, null, facts, at);
  // The writer's language, from the start of what they wrote (bounded: ~2,000 characters).
  const guess = detectLocale(ownWords(m.mail));
  const linkedTo = decision.kind === 'new' && decision.linkedTo ? new Types.ObjectId(decision.linkedTo) : null;
  const ticketId = decision.kind === 'join' ? new Types.ObjectId(decision.ticketId) : await openTicket(deps, m, facts, linkedTo, at, guess, blocked);
  deps.onStep?.('ticket-written');
  const [messageDocId] = await Promise.all([
    queueMessage(deps, batch, m, ticketId, null, facts, at),
    // A long mail clearly in another language changes what is remembered for its writer (a new ticket's opening did that already).
    decision.kind === 'join' && guess?.confident && facts.sender ? rememberLocale(deps, facts.sender, guess) : null,
  ]);
  const ticket: TicketAsFound<Id> = decision.kind === 'join'
    ? { status: decision.status, created: false, linkedTicketIds: [] }
    : { status: blocked ? 'spam' : 'new', created: true, linkedTicketIds: linkedTo ? [linkedTo] : [] };
  const merged = await mergeLinked(deps, batch, decision, ticketId, at);
  const outcome = await applyTicketUpdate(batch, m, { ticketId, messageDocId, decision, ticket, facts, at, recount: merged, blocked });
  deps.logger.debug({ ticketId, messageDocId, decision: decision.kind, reason: decision.reason }, 'mail ingested');
  return outcome;
}

/** Finishes a mail a run stored before it was cut: threading finds the stored message itself, so it re-derives the same decision. */
async function resume(deps: IngestDeps, batch: MailBatch, m: ClassifiedMail, copy: StoredCopy<Id>, facts: MailFacts, at: Date): Promise<MailOutcome> {
  const blocked = m.blocked;
  const decision = await findThread(deps, m.mail, m.inboxId, facts.sender, batch);
  if (decision.kind === 'side') return fileSideReply(deps, batch, m, decision, copy.messageDocId, facts, at);
  const ticketId = decision.kind === 'join' ? new Types.ObjectId(decision.ticketId) : copy.ticketId;
  await batch.settle();
  await mergeLinked(deps, batch, decision, ticketId, at);
  const t = await deps.tickets.findIngestState(ticketId);
  if (!t) throw new AppError('INTERNAL', `ticket ${ticketId.toHexString()} vanished during ingest`);
  const ticket = { status: t.status, created: t.originKey === m.dedupeKey, linkedTicketIds: t.linkedTicketIds };
  return applyTicketUpdate(batch, m, { ticketId, messageDocId: copy.messageDocId, decision, ticket, facts, at, recount: true, blocked });
}

/**
 * A partner's answer in a side conversation (decideThread's `side`): stored on the ticket marked as
 * that side conversation's mail, never counted in or shown with the customer's conversation, and
 * adding nobody to the ticket's participants (so the partner never receives a reply to the customer
 * nor threads into their conversation). A ticket waiting on the partner is open again; nothing else
 * changes: no reopen, no SLA clock started, no acknowledgement, no notification of a customer reply.
 * `stored`: the message a cut run already stored (resumed), else it is queued now.
 */
async function fileSideReply(deps: IngestDeps, batch: MailBatch, m: ClassifiedMail, decision: Extract<ThreadDecision, { kind: 'side' }>, stored: Id | null, facts: MailFacts, at: Date): Promise<MailOutcome> {
  const ticketId = new Types.ObjectId(decision.ticketId);
  const sideConversationId = new Types.ObjectId(decision.sideConversationId);
  const messageDocId = stored ?? (await queueMessage(deps, batch, m, ticketId, null, facts, at, sideConversationId));
  deps.onStep?.('ticket-written');
  if (stored) await batch.settle();
  const current = stored ? await deps.tickets.findIngestState(ticketId) : null;
  const answered = onPartnerAnswered({ status: current?.status ?? decision.status }, at);
  const msgKey = messageDocId.toHexString();
  const actor = { kind: 'contact' as const, label: facts.sender };
  const events = [
    ...(answered ? [{ ticketId, type: 'status_changed' as const, actor, at, data: { ...answered.statusChanged }, key: `side-answered:${msgKey}` }] : []),
    { ticketId, type: 'side_message_received' as const, actor, at, data: { sideConversationId, from: facts.sender, messageId: messageDocId, subject: m.mail.subject.slice(0, 200) }, key: `side-received:${msgKey}` },
  ];
  const set = answered ? { ...answered.change } : {};
  // Agents find the ticket by the partner's words too (search is for agents), as by their own mail to the partner.
  const searchTerms = messageSearchTerms({ text: m.mail.text, from: m.mail.from, recipients: [] });
  if (stored) await batch.writes.recount({ ticketId, set, participants: [], linkBack: [], searchTerms });
  else batch.writes.addTicketChange({ ticketId, messageDocId, set, participants: [], receivedAt: facts.receivedAt, linkBack: [], searchTerms, uncounted: true });
  batch.writes.addFinish({ messageDocId, events, related: [], bouncing: [], at });
  await deps.sideConversations.markAnswered(sideConversationId, facts.sender, at);
  deps.logger.debug({ ticketId, messageDocId, sideConversationId, reason: decision.reason }, 'side conversation answer ingested');
  return { result: { outcome: 'ticketed', ticketId, messageDocId, created: false }, waits: 'writes', messageDocId, followUp: { ticketId, awaitingReply: false, openedBy: null } };
}

/** Merges the tickets a message proves to be one conversation with its own; true when there were any. */
async function mergeLinked(deps: IngestDeps, batch: MailBatch, decision: ThreadDecision, ticketId: Id, at: Date): Promise<boolean> {
  const mergeFrom = decision.kind === 'join' ? decision.mergeFrom : [];
  if (mergeFrom.length === 0) return false;
  // A merge reads both tickets and recounts from the database.
  await batch.settle();
  for (const fromId of mergeFrom) {
    await deps.tickets.merge({ intoId: ticketId, fromId: new Types.ObjectId(fromId), at, reason: 'a message links both conversations' });
  }
  return true;
}

interface UpdateInput {
  ticketId: Id;
  messageDocId: Id;
  decision: ThreadDecision;
  ticket: TicketAsFound<Id>;
  facts: MailFacts;
  at: Date;
  /** Count the ticket's messages afresh (resumed or merged) instead of adding this one. */
  recount: boolean;
  /** The block-list entry the sender matches, or null. */
  blocked: SpamBlock | null;
}

/** Plans what the stored message changes on its ticket and hands the plan to the batch's writes. */
async function applyTicketUpdate(batch: MailBatch, m: ClassifiedMail, u: UpdateInput): Promise<MailOutcome> {
  const { ticketId, messageDocId, at, facts } = u;
  const update = planTicketUpdate({
    ticketId,
    messageDocId,
    inboxId: m.inboxId,
    joined: u.decision.kind === 'join',
    ticket: u.ticket,
    mail: m.mail,
    facts,
    related: u.decision.related.map((id) => new Types.ObjectId(id)),
    blocked: u.blocked,
    at,
  });
  const searchTerms = messageSearchTerms({ text: m.mail.text, from: m.mail.from, recipients: [...m.mail.to, ...m.mail.cc] });
  if (u.recount) await batch.writes.recount({ ticketId, set: update.set, reopened: update.reopened, participants: facts.participants, linkBack: update.linkBack, searchTerms });
  else batch.writes.addTicketChange({ ticketId, messageDocId, set: update.set, reopened: update.reopened, participants: facts.participants, receivedAt: facts.receivedAt, linkBack: update.linkBack, searchTerms });
  const related = update.related.map((otherId) => ({ ticketId, otherId, at, reason: 'a received mail links both conversations' }));
  batch.writes.addFinish({ messageDocId, events: update.events, related, bouncing: [], at });
  return { result: { outcome: 'ticketed', ticketId, messageDocId, created: u.ticket.created }, waits: 'writes', messageDocId, followUp: update.followUp };
}

const lower = (address: string | undefined) => address?.toLowerCase() ?? null;

/** A new delivery report or out-of-office notice: filed on the ticket of the mail it is about, or quarantined when that is unknown. */
async function fileNewReport(deps: IngestDeps, batch: MailBatch, m: ClassifiedMail, report: BounceReport, facts: MailFacts, at: Date): Promise<MailOutcome> {
  const bounced = await ticketOfBouncedMessage(deps, report);
  if (!bounced) {
    const detail = `${report.reason}; original message ${report.originalMessageId ?? 'unknown'}`;
    await quarantineMail(deps, { inboxId: m.inboxId, raw: m.raw, contentHash: m.contentHash, reason: 'BOUNCE_UNMATCHED', detail, source: m.source, subject: m.mail.subject, from: lower(m.mail.from?.address) });
    return { result: { outcome: 'quarantined', reason: 'BOUNCE_UNMATCHED' }, waits: 'nothing' };
  }
  deps.onStep?.('ticket-written');
  const messageDocId = await queueMessage(deps, batch, m, bounced, report, facts, at);
  return finishReport(batch, report, bounced, messageDocId, at);
}

function finishReport(batch: MailBatch, report: BounceReport, ticketId: Id, messageDocId: Id, at: Date): MailOutcome {
  const filing = fileReport(report, ticketId, messageDocId, at);
  batch.writes.addFinish({ messageDocId, events: [filing.event], related: [], bouncing: filing.bouncing, at });
  return { result: { outcome: isAutoReplyReport(report) ? 'auto-reply' : 'bounce', ticketId }, waits: 'writes', messageDocId };
}

/** Builds the mail's message document and queues it in the batch; checked now, so a bad document fails this mail alone. */
async function queueMessage(deps: IngestDeps, batch: MailBatch, m: ClassifiedMail, ticketId: Id, report: BounceReport | null, facts: MailFacts, at: Date, sideConversationId?: Id): Promise<Id> {
  const files = m.files ?? (await storeFiles(deps, m));
  const html = m.mail.html ? await deps.sanitizeHtml(m.mail.html) : null;
  const fields = inboundMessage({ mail: m.mail, ticketId, inboxId: m.inboxId, dedupeKey: m.dedupeKey, source: m.source, files, html, htmlRules: deps.sanitizerRules, facts, report, at });
  const doc = await deps.messages.validateNew(sideConversationId ? { ...fields, sideConversationId } : fields);
  batch.writes.addMessage({ doc: { ...doc, createdAt: facts.receivedAt, updatedAt: at } });
  batch.index.add(fields.threadKeys, ticketId);
  return doc._id;
}

/** Remembers a writer's language; a failure costs the memory, never the mail. */
async function rememberLocale(deps: IngestDeps, email: string, guess: LocaleGuess): Promise<void> {
  await deps.contacts.rememberLocale(email, guess).catch((err: unknown) => deps.logger.warn({ err }, 'could not remember the language of a contact'));
}

/**
 * Opens the ticket of a mail that starts a conversation; keyed by that mail, so a retry after a crash
 * finds it instead of opening another. The requester's contact learns the language guessed from the mail.
 * A blocked sender's ticket opens in Spam, marked by no one (it comes back `new` if it is not spam).
 */
async function openTicket(deps: IngestDeps, m: ClassifiedMail, facts: MailFacts, linkedTo: Id | null, at: Date, guess: LocaleGuess | null, blocked: SpamBlock | null): Promise<Id> {
  const spam = blocked ? { at, by: null, from: 'new' as const, block: blocked } : null;
  const opening = openingTicket(m.mail, { inboxId: m.inboxId, participants: facts.participants, linkedTo, autoReason: facts.autoReason, at, spam });
  const { email, name } = opening.requester;
  // Independent round trips, so they overlap.
  const [contact, number, teamId] = await Promise.all([
    deps.contacts.findOrCreate(email, name, guess),
    deps.tickets.nextNumber(),
    deps.inboxes.findDefaultTeamId(m.inboxId),
  ]);
  // A new ticket starts with its inbox's default team.
  const fields = { ...opening, teamId };
  const ticket = await deps.tickets.openOnce(m.dedupeKey, { number, ...fields, requester: { contactId: contact?._id ?? null, email, name } });
  return ticket!._id;
}
