import type { Types } from 'mongoose';
import type { ParsedMail } from '../domain/mail.js';
import { ticketNumberFromMessageId, type Signer } from '../domain/message-ids.js';
import { decideThread, type ThreadCandidate, type ThreadDecision } from '../domain/thread-decision.js';
import { baseSubject, looksLikeReply, referencedIds, threadKeysOf, ticketTokenIn } from '../domain/threading.js';
import type { Models } from '../store/models/index.js';
import type { TicketDoc } from '../store/models/ticket.js';
import { mergeRootOf } from '../store/ticket-writes.js';

export interface FindThreadDeps {
  models: Models;
  sign: Signer;
  now: () => Date;
  settings: { reopenClosedWithinSeconds: number; subjectMatchWithinSeconds: number };
}

const CANDIDATE_FIELDS = { number: 1, status: 1, closedAt: 1, participants: 1, mergedIntoId: 1 } as const;

function candidate(t: Pick<TicketDoc, '_id' | 'number' | 'status' | 'closedAt' | 'participants'>): ThreadCandidate {
  return { ticketId: t._id.toHexString(), number: t.number, status: t.status, closedAt: t.closedAt ?? null, participants: t.participants };
}

async function loadRoots(models: Models, ids: Types.ObjectId[]): Promise<ThreadCandidate[]> {
  if (ids.length === 0) return [];
  const found = await models.Ticket.find({ _id: { $in: ids } }, CANDIDATE_FIELDS).lean();
  const roots = new Map(found.filter((t) => !t.mergedIntoId).map((t) => [t._id.toHexString(), candidate(t)]));
  // Merged tickets are rare: follow each to the ticket that now holds its conversation.
  for (const merged of found.filter((t) => t.mergedIntoId)) {
    const rootId = await mergeRootOf(models, merged._id);
    if (roots.has(rootId.toHexString())) continue;
    const root = await models.Ticket.findById(rootId, CANDIDATE_FIELDS).lean();
    if (root) roots.set(rootId.toHexString(), candidate(root));
  }
  return [...roots.values()];
}

/**
 * Finds the ticket a received mail belongs to (JWZ / RFC 5256 REFERENCES links, then our signed
 * Message-IDs, then the participant-only fallbacks) and decides join, merge, reopen or new.
 */
export async function findThread(deps: FindThreadDeps, mail: ParsedMail, sender: string | null): Promise<ThreadDecision> {
  const { models } = deps;
  const now = deps.now();
  const keys = threadKeysOf(mail);
  const linkedIds = new Map<string, Types.ObjectId>();
  if (keys.length > 0) {
    const related = await models.Message.find({ threadKeys: { $in: keys } }, { ticketId: 1 }).lean();
    for (const m of related) linkedIds.set(m.ticketId.toHexString(), m.ticketId);
  }
  // Our own ids name their ticket, so a reply threads even if the copy of our mail was never stored.
  const numbers = referencedIds(mail).map((id) => ticketNumberFromMessageId(id, deps.sign)).filter((n): n is number => n !== null);
  if (numbers.length > 0) {
    for (const t of await models.Ticket.find({ number: { $in: numbers } }, { _id: 1 }).lean()) linkedIds.set(t._id.toHexString(), t._id);
  }
  const linked = await loadRoots(models, [...linkedIds.values()]);

  let tokenTicket: ThreadCandidate | null = null;
  let subjectTicket: ThreadCandidate | null = null;
  if (linked.length === 0) {
    const token = ticketTokenIn(mail.subject);
    if (token !== null) {
      const t = await models.Ticket.findOne({ number: token }, { _id: 1 }).lean();
      if (t) tokenTicket = (await loadRoots(models, [t._id]))[0] ?? null;
    }
    if (!tokenTicket && sender && looksLikeReply(mail.subject)) {
      const since = new Date(now.getTime() - deps.settings.subjectMatchWithinSeconds * 1000);
      const t = await models.Ticket.findOne(
        { baseSubject: baseSubject(mail.subject), participants: sender, mergedIntoId: null, lastActivityAt: { $gte: since } },
        CANDIDATE_FIELDS,
      )
        .sort({ lastActivityAt: -1 })
        .lean();
      if (t) subjectTicket = candidate(t);
    }
  }
  return decideThread({ linked, tokenTicket, subjectTicket, sender, now, reopenClosedWithinSeconds: deps.settings.reopenClosedWithinSeconds });
}
