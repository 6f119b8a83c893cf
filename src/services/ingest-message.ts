import { Types } from 'mongoose';
import { autoSubmittedReason } from '../domain/auto-submitted.js';
import { detectBounce, isAutoReplyReport, type BounceReport } from '../domain/bounce.js';
import type { MailAddress, ParsedMail } from '../domain/mail.js';
import { DEFAULT_MAX_PARTICIPANTS_PER_MAIL, MAX_LISTED_ADDRESSES, mailParticipants, type ParticipantsCapped } from '../domain/participants.js';
import type { ThreadDecision } from '../domain/thread-decision.js';
import type { TicketStatus } from '../domain/ticket-status.js';
import { ticketSearchTerms } from '../domain/ticket-search.js';
import { baseSubject, referencedIds, threadKeysOf } from '../domain/threading.js';
import { SANITIZER_RULES } from '../mail/sanitize-html.js';
import type { StoredBlob } from '../store/blob-store.js';
import { nextSequence } from '../store/models/counter.js';
import type { AttachmentRef } from '../store/models/message.js';
import type { IngestWriteBuffer, PendingMessage } from '../store/ingest-writes.js';
import type { TicketRelation } from '../store/ticket-links.js';
import { mergeTickets, type recordEvents, refreshTicketStats } from '../store/ticket-writes.js';
import { recordAutoReply, recordBounce, ticketOfBouncedMessage } from './file-bounce.js';
import { findThread, type CandidateCache, type ThreadKeyIndex } from './find-thread.js';
import type { IngestDeps, IngestInput, IngestResult, StoredMail } from './ingest-email.js';
import { quarantineMail } from './quarantine-mail.js';

const lower = (a: MailAddress | null | undefined) => a?.address.toLowerCase() ?? null;

/** The ticket of our own outbound mail with this Message-ID: a copy of it coming back is not news. */
export async function ourCopyOf(deps: IngestDeps, mail: ParsedMail): Promise<Types.ObjectId | null> {
  if (!mail.messageId) return null;
  const ours = await deps.models.Message.findOne({ messageId: mail.messageId, direction: 'outbound' }, { ticketId: 1 }).lean();
  return ours?.ticketId ?? null;
}

const reports = new WeakMap<ParsedMail, BounceReport | null>();

/**
 * A delivery report or auto-reply, which never opens a ticket; a person forwarding a bounce is asking
 * for help. Remembered per parsed mail: a batch asks once when storing raw sources, then again per mail.
 */
export function mailerReport(mail: ParsedMail): BounceReport | null {
  let report = reports.get(mail);
  if (report === undefined) {
    const found = detectBounce(mail);
    report = found && found.reason !== 'forwarded-bounce' ? found : null;
    reports.set(mail, report);
  }
  return report;
}

/** The blob keys and file names of a mail's attachments, for storing them once per mail. */
export function attachmentBlobs(mail: ParsedMail, dedupeKey: string) {
  return mail.attachments.map((att, i) => ({ data: att.content, filename: att.filename ?? `part-${i + 1}`, contentType: att.contentType, key: `att:${dedupeKey}:${i}` }));
}

/** What a message document records of its stored attachments. */
export function attachmentRefs(mail: ParsedMail, stored: StoredBlob[]): AttachmentRef[] {
  return mail.attachments.map((att, i) => ({ fileId: stored[i]!.id, filename: att.filename, contentType: att.contentType, size: stored[i]!.size, sha256: stored[i]!.sha256, contentId: att.contentId, inline: att.inline }));
}

async function storeAttachments(deps: IngestDeps, mail: ParsedMail, dedupeKey: string, fresh: boolean): Promise<AttachmentRef[]> {
  const stored: StoredBlob[] = [];
  for (const blob of attachmentBlobs(mail, dedupeKey)) stored.push(await deps.blobs.put(blob.data, { ...blob, fresh }));
  return attachmentRefs(mail, stored);
}

async function createTicket(deps: IngestDeps, input: IngestInput, mail: ParsedMail, dedupeKey: string, participants: string[], linkedTo: string | null, autoReason: string | null, at: Date) {
  const from = mail.from ?? mail.sender;
  const email = lower(from) ?? 'unknown@invalid';
  // Independent round trips, so they overlap.
  const [contact, number] = await Promise.all([
    deps.models.Contact.findOneAndUpdate({ email }, { $setOnInsert: { email, name: from?.name ?? null } }, { upsert: true, returnDocument: 'after', lean: true }).catch(async (err: { code?: number }) => {
      if (err.code !== 11000) throw err;
      return deps.models.Contact.findOne({ email }).lean();
    }),
    nextSequence(deps.models.Counter, 'ticket'),
  ]);
  const filter = { originKey: dedupeKey };
  const fields = {
    number,
    inboxId: input.inboxId,
    subject: mail.subject.slice(0, 998),
    baseSubject: baseSubject(mail.subject),
    status: 'new',
    requester: { contactId: contact?._id ?? null, email, name: from?.name ?? null },
    searchTerms: ticketSearchTerms({ subject: mail.subject.slice(0, 998), requester: { email, name: from?.name ?? null } }),
    participants,
    lastActivityAt: at,
    flags: { autoSubmitted: autoReason !== null },
    linkedTicketIds: linkedTo ? [new Types.ObjectId(linkedTo)] : [],
  };
  // Keyed by the opening mail, so a retry after a crash finds this ticket instead of opening another.
  const ticket = await deps.models.Ticket.findOneAndUpdate(filter, { $setOnInsert: fields }, { upsert: true, returnDocument: 'after', lean: true }).catch(async (err: { code?: number }) => {
    if (err.code !== 11000) throw err;
    return deps.models.Ticket.findOne(filter).lean();
  });
  return ticket!._id;
}

/** What the main path already knows about the ticket; absent when resuming after a crash. */
interface KnownTicket {
  status: TicketStatus;
  created: boolean;
  linkedTicketIds: Types.ObjectId[];
}

interface CompleteInput {
  mail: ParsedMail;
  messageDocId: Types.ObjectId;
  ticketId: Types.ObjectId;
  decision: ThreadDecision;
  autoReason: string | null;
  participants: string[];
  /** Set when the mail named more addresses than became participants. */
  capped: ParticipantsCapped | null;
  receivedAt: Date;
  known: KnownTicket | null;
}

/**
 * Applies a stored message to its ticket: merges, reopening, participants, counts, trail, follow-up
 * jobs. On the main path one update suffices; a resumed run recounts instead of incrementing, so a
 * crash between the update and the completion mark cannot count a message twice.
 */
async function completeMessage(deps: IngestDeps, input: ParsedInput, c: CompleteInput, at: Date, tail: BatchTail): Promise<boolean> {
  const { models } = deps;
  const { ticketId, messageDocId, decision, autoReason } = c;
  const mergeFrom = decision.kind === 'join' ? decision.mergeFrom : [];
  // Merges and recounts read tickets back from the database: the batch's queued changes go first,
  // and what the batch remembers of those tickets no longer holds.
  if (mergeFrom.length > 0 || !c.known) {
    await tail.writes.flush();
    tail.candidates.clear();
  }
  for (const fromId of mergeFrom) {
    await mergeTickets(models, { intoId: ticketId, fromId: new Types.ObjectId(fromId), at, reason: 'a message links both conversations' });
  }
  let known = c.known;
  if (!known) {
    const t = await models.Ticket.findById(ticketId, { status: 1, originKey: 1, linkedTicketIds: 1 }).lean();
    if (!t) throw new Error(`ticket ${ticketId.toHexString()} vanished during ingest`);
    known = { status: t.status, created: t.originKey === input.dedupeKey, linkedTicketIds: t.linkedTicketIds };
  }
  const msgKey = messageDocId.toHexString();
  const actor = { kind: 'contact' as const, label: lower(c.mail.from) };
  const events: TrailEvent[] = [];
  if (known.created) {
    events.push({ ticketId, type: 'created', actor, at, data: { via: 'email', inboxId: input.inboxId }, key: `created:${ticketId.toHexString()}` });
    for (const linked of known.linkedTicketIds) {
      await models.Ticket.updateOne({ _id: linked }, { $addToSet: { linkedTicketIds: ticketId } });
      events.push({ ticketId: linked, type: 'linked', actor: { kind: 'system' }, at, data: { ticketId, reason: 'reply to a closed ticket' }, key: `linked:${linked.toHexString()}>${ticketId.toHexString()}` });
    }
  }
  const set: Record<string, unknown> = {};
  // An automatic answer (out-of-office) to our mail must not wake a solved ticket.
  if (decision.kind === 'join' && (known.status === 'solved' || known.status === 'closed') && !autoReason) {
    Object.assign(set, { status: 'open', solvedAt: null, closedAt: null });
    events.push({ ticketId, type: 'reopened', actor, at, data: { from: known.status, messageId: messageDocId }, key: `reopen:${msgKey}` });
  } else if (known.status === 'pending' && !autoReason) {
    set.status = 'open';
    events.push({ ticketId, type: 'status_changed', actor, at, data: { from: 'pending', to: 'open' }, key: `customer-replied:${msgKey}` });
  }
  events.push({ ticketId, type: 'message_received', actor, at, data: { messageId: messageDocId, subject: c.mail.subject.slice(0, 200), autoSubmitted: autoReason }, key: `received:${msgKey}` });
  if (c.capped) events.push({ ticketId, type: 'participants_capped', actor: { kind: 'system' }, at, data: { messageId: messageDocId, ...c.capped }, key: `participants-capped:${msgKey}` });
  const recount = !c.known || mergeFrom.length > 0;
  if (recount) {
    await models.Ticket.updateOne({ _id: ticketId }, { ...(Object.keys(set).length ? { $set: set } : {}), $addToSet: { participants: { $each: c.participants } } });
    await refreshTicketStats(models, ticketId);
  } else {
    tail.writes.addTicketChange({ ticketId, messageDocId, set, participants: c.participants, receivedAt: c.receivedAt });
  }
  // Follow-ups, trail and completion mark are done once per batch; until then a crash leaves the message 'stored' and a retry converges.
  tail.stored.push({ ticketId, messageDocId, inboxId: input.inboxId, created: known.created, mail: c.mail, autoSubmitted: autoReason });
  tail.events.push(...events);
  for (const other of decision.related) {
    if (other !== ticketId.toHexString()) tail.related.push({ ticketId, otherId: new Types.ObjectId(other), at, reason: 'a received mail links both conversations', messageDocId });
  }
  tail.complete.push(messageDocId);
  return known.created;
}

/** A received mail, parsed, with its dedupe key. */
export interface ParsedInput extends IngestInput {
  mail: ParsedMail;
  contentHash: string;
  dedupeKey: string;
}

/** What the batch already looked up for one mail; a field left undefined is looked up here. */
export interface MailHints {
  existing?: { _id: Types.ObjectId; ticketId: Types.ObjectId; ingestState: string } | null;
  /** The ticket of our own outbound copy of this mail, if it is one. */
  echoTicketId?: Types.ObjectId | null;
  raw?: StoredBlob;
  /** The mail's attachments, when the batch stored them with its raw source. */
  attachments?: AttachmentRef[];
  /** Thread keys of the stored messages, shared by the batch. */
  index?: ThreadKeyIndex;
}

type TrailEvent = Parameters<typeof recordEvents>[1][number];

/** What a batch does once, at its end, for all its mails: ticket changes, follow-up work, trail events, then the completion marks. */
export interface BatchTail {
  /** New messages and their ticket changes, written together. */
  writes: IngestWriteBuffer;
  /** Tickets threading has read in this batch. */
  candidates: CandidateCache;
  stored: StoredMail[];
  events: TrailEvent[];
  /** Tickets of other inboxes the batch's mails link to, by the message that links them. */
  related: Array<TicketRelation & { messageDocId: Types.ObjectId }>;
  complete: Types.ObjectId[];
}

/**
 * Turns one parsed mail into (part of) a ticket, in one straight line: dedupe → classify → thread →
 * store → update the ticket and schedule follow-ups; the batch then records the trail and marks it
 * complete. Safe to run again for the same mail at any point (after a crash, a re-sync, or by a
 * second poller): the dedupe key makes the message insert the commit point, and every later step converges.
 */
export async function ingestParsed(deps: IngestDeps, input: ParsedInput, hints: MailHints, tail: BatchTail): Promise<IngestResult> {
  const { models } = deps;
  const { mail, contentHash, dedupeKey } = input;
  const at = deps.now();
  const autoReason = autoSubmittedReason(mail);
  const own = await deps.ownAddresses();
  const { addresses: participants, capped } = mailParticipants(mail, own, deps.settings.maxParticipantsPerMail ?? DEFAULT_MAX_PARTICIPANTS_PER_MAIL);

  const existing = hints.existing !== undefined ? hints.existing : await models.Message.findOne({ dedupeKey }, { ticketId: 1, ingestState: 1 }).lean();
  if (existing) {
    await models.Message.updateOne({ _id: existing._id }, { $addToSet: { deliveredTo: input.inboxId } });
    if (existing.ingestState === 'complete') return { outcome: 'duplicate', ticketId: existing.ticketId };
    const storedBounce = mailerReport(mail);
    if (storedBounce) return finishBounce(deps, existing._id, existing.ticketId, storedBounce, at);
    // Interrupted before completion: threading now finds the stored message itself, so it re-derives the same decision.
    const decision = await findThread(deps, mail, input.inboxId, lower(mail.from ?? mail.sender), { index: hints.index, pending: tail.writes, candidates: tail.candidates });
    const ticketId = decision.kind === 'join' ? new Types.ObjectId(decision.ticketId) : existing.ticketId;
    const created = await completeMessage(deps, input, { mail, messageDocId: existing._id, ticketId, decision, autoReason, participants, capped, receivedAt: at, known: null }, at, tail);
    return { outcome: 'ticketed', ticketId, messageDocId: existing._id, created };
  }
  const echoTicketId = hints.echoTicketId !== undefined ? hints.echoTicketId : await ourCopyOf(deps, mail);
  if (echoTicketId) return { outcome: 'duplicate', ticketId: echoTicketId };

  const bounce = mailerReport(mail);
  let decision: ThreadDecision;
  let ticketId: Types.ObjectId;
  if (bounce) {
    const bounced = await ticketOfBouncedMessage(deps, bounce);
    if (!bounced) {
      await quarantineMail(deps, { inboxId: input.inboxId, raw: input.raw, contentHash, reason: 'BOUNCE_UNMATCHED', detail: `${bounce.reason}; original message ${bounce.originalMessageId ?? 'unknown'}`, source: input.source, subject: mail.subject, from: lower(mail.from) });
      return { outcome: 'quarantined', reason: 'BOUNCE_UNMATCHED' };
    }
    ticketId = bounced;
    decision = { kind: 'join', ticketId: bounced.toHexString(), status: 'open', mergeFrom: [], related: [], reopen: false, reason: 'bounce' };
  } else {
    decision = await findThread(deps, mail, input.inboxId, lower(mail.from ?? mail.sender), { index: hints.index, pending: tail.writes, candidates: tail.candidates });
    deps.onStep?.('threaded');
    ticketId = decision.kind === 'join'
      ? new Types.ObjectId(decision.ticketId)
      : await createTicket(deps, input, mail, dedupeKey, participants, decision.linkedTo, autoReason, at);
  }
  deps.onStep?.('ticket-written');

  const raw = hints.raw ?? await deps.blobs.put(input.raw, { filename: `${contentHash}.eml`, contentType: 'message/rfc822', key: `raw:${dedupeKey}` });
  // Attachments are stored after the raw source, so a raw source stored only now means none of them exists yet.
  const attachments = hints.attachments ?? (await storeAttachments(deps, mail, dedupeKey, !raw.reused));
  const receivedAt = mail.date && mail.date < at ? mail.date : at;
  // An out-of-office notice is a mailer report too, but no delivery failure (see file-bounce).
  const autoReply = bounce !== null && isAutoReplyReport(bounce);
  const html = mail.html ? await deps.sanitizeHtml(mail.html) : null;
  const fields = {
    ticketId,
    inboxId: input.inboxId,
    direction: 'inbound' as const,
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo[0] ?? null,
    references: referencedIds(mail),
    threadKeys: threadKeysOf(mail),
    subject: mail.subject,
    from: mail.from,
    to: mail.to.slice(0, MAX_LISTED_ADDRESSES),
    cc: mail.cc.slice(0, MAX_LISTED_ADDRESSES),
    replyTo: mail.replyTo.slice(0, MAX_LISTED_ADDRESSES),
    date: mail.date,
    text: mail.text,
    html,
    htmlRules: html === null ? null : SANITIZER_RULES,
    attachments,
    raw: { fileId: raw.id, size: raw.size, sha256: raw.sha256 },
    dedupeKey,
    deliveredTo: [input.inboxId],
    source: input.source,
    ingestState: 'stored' as const,
    flags: { autoSubmitted: autoReason !== null, autoSubmittedReason: autoReason, bounce: bounce !== null && !autoReply, autoReply, htmlTooComplex: Boolean(mail.html) && html === null },
    createdAt: receivedAt,
    updatedAt: at,
  };
  let messageDocId: Types.ObjectId;
  if (!bounce) {
    // Inserted with the rest of the batch (see IngestWriteBuffer); checked now, so a bad document fails this mail alone.
    const doc = new models.Message(fields);
    await doc.validate();
    messageDocId = doc._id;
    tail.writes.addMessage({ doc: { ...(doc.toObject({ depopulate: true }) as PendingMessage['doc']), createdAt: receivedAt, updatedAt: at } });
    hints.index?.add(fields.threadKeys, ticketId);
  } else {
    try {
      const doc = await models.Message.create(fields);
      messageDocId = doc._id;
      hints.index?.add(doc.threadKeys, ticketId);
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      // Another poller committed the same mail first (e.g. one mail sent to two of our addresses).
      const winner = await models.Message.findOneAndUpdate({ dedupeKey }, { $addToSet: { deliveredTo: input.inboxId } }, { returnDocument: 'after', lean: true });
      hints.index?.add(threadKeysOf(mail), winner!.ticketId);
      return { outcome: 'duplicate', ticketId: winner!.ticketId };
    }
    deps.onStep?.('stored');
  }

  if (bounce) return finishBounce(deps, messageDocId, ticketId, bounce, at);
  const known: KnownTicket = decision.kind === 'join'
    ? { status: decision.status, created: false, linkedTicketIds: [] }
    : { status: 'new', created: true, linkedTicketIds: decision.linkedTo ? [new Types.ObjectId(decision.linkedTo)] : [] };
  const created = await completeMessage(deps, input, { mail, messageDocId, ticketId, decision, autoReason, participants, capped, receivedAt, known }, at, tail);
  deps.logger.debug({ ticketId, messageDocId, decision: decision.kind, reason: decision.reason }, 'mail ingested');
  return { outcome: 'ticketed', ticketId, messageDocId, created };
}

async function finishBounce(deps: IngestDeps, messageDocId: Types.ObjectId, ticketId: Types.ObjectId, report: BounceReport, at: Date): Promise<IngestResult> {
  const autoReply = isAutoReplyReport(report);
  await (autoReply ? recordAutoReply : recordBounce)(deps, { ticketId, messageDocId, report, at });
  await deps.models.Message.updateOne({ _id: messageDocId }, { $set: { ingestState: 'complete' } });
  deps.onStep?.('completed');
  return { outcome: autoReply ? 'auto-reply' : 'bounce', ticketId };
}
