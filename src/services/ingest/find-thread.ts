import { Types } from 'mongoose';
import type { ParsedMail } from '../../domain/mail.js';
import { ticketNumberFromMessageId, type Signer } from '../../domain/message-ids.js';
import { sideConversationReferenced } from '../../domain/side-conversations.js';
import { decideThread, type SideCandidate, type ThreadCandidate, type ThreadDecision } from '../../domain/thread-decision.js';
import { baseSubject, looksLikeReply, referencedIds, threadKeysOf, ticketTokenIn } from '../../domain/threading.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { SideConversationStore } from '../../store/side-conversation-store.js';
import type { ThreadCandidateRow, TicketStore } from '../../store/ticket-store.js';

export interface FindThreadDeps {
  tickets: Pick<TicketStore, 'listThreadCandidates' | 'findThreadCandidate' | 'mergeRootOf' | 'listIdsByNumbers' | 'findIdByNumber' | 'findSubjectMatch'>;
  messages: Pick<MessageStore, 'listTicketIdsByThreadKeys' | 'findSideConversationOf'>;
  inboxes: Pick<InboxStore, 'listIdsByAddresses'>;
  /** Side conversations (agents' mail with partners about a ticket), which partners' answers join. */
  sideConversations: Pick<SideConversationStore, 'findById' | 'findByParticipant'>;
  sign: Signer;
  now: () => Date;
  settings: { reopenClosedWithinSeconds: number; subjectMatchWithinSeconds: number };
}

function candidate(t: ThreadCandidateRow): ThreadCandidate {
  return { ticketId: t._id.toHexString(), number: t.number, inboxId: t.inboxId.toHexString(), status: t.status, closedAt: t.closedAt ?? null, participants: t.participants };
}

/**
 * Thread candidates a batch has read, by the ticket id asked for (a merged ticket maps to the ticket
 * holding its conversation), so each conversation's ticket is read once per batch. Entries are read
 * through the batch's pending changes, so clear it whenever those are written, and when the batch
 * merges or recounts tickets.
 */
export type CandidateCache = Map<string, ThreadCandidate>;

async function loadRoots(tickets: FindThreadDeps['tickets'], ids: Types.ObjectId[], cache?: CandidateCache): Promise<ThreadCandidate[]> {
  const roots = new Map<string, ThreadCandidate>();
  const missing = ids.filter((id) => {
    const cached = cache?.get(id.toHexString());
    if (cached) roots.set(cached.ticketId, cached);
    return !cached;
  });
  if (missing.length === 0) return [...roots.values()];
  const found = await tickets.listThreadCandidates(missing);
  for (const t of found.filter((t) => !t.mergedIntoId)) {
    const c = candidate(t);
    roots.set(c.ticketId, c);
    cache?.set(c.ticketId, c);
  }
  // Merged tickets are rare: follow each to the ticket that now holds its conversation.
  for (const merged of found.filter((t) => t.mergedIntoId)) {
    const rootId = await tickets.mergeRootOf(merged._id);
    const known = roots.get(rootId.toHexString());
    const root = known ?? (await tickets.findThreadCandidate(rootId).then((r) => (r ? candidate(r) : null)));
    if (!root) continue;
    roots.set(root.ticketId, root);
    cache?.set(merged._id.toHexString(), root);
    cache?.set(root.ticketId, root);
  }
  return [...roots.values()];
}

/**
 * The tickets of stored messages by thread key, loaded once for a batch of mails and kept current as
 * messages are stored. A ticket id here may since have been merged; loadRoots follows that.
 */
export interface ThreadKeyIndex {
  /** The tickets of messages sharing any of these keys; null when a key was not loaded. */
  ticketsFor(keys: string[]): Types.ObjectId[] | null;
  /** Records a stored message in every index in use in this process (other batches may want it too). */
  add(keys: string[], ticketId: Types.ObjectId): void;
  /** Ends the index's use; call when the batch is done. */
  release(): void;
}

type KeyMap = Map<string, Map<string, Types.ObjectId>>;
/** The indexes in use, by the message store (one per database) they were loaded from. */
const inUse = new WeakMap<object, Set<KeyMap>>();

/** Loads the index for these mails' thread keys in one query. */
export async function loadThreadKeyIndex(messages: Pick<MessageStore, 'listByThreadKeys'>, mails: ParsedMail[]): Promise<ThreadKeyIndex> {
  const byKey: KeyMap = new Map(mails.flatMap(threadKeysOf).map((key) => [key, new Map()]));
  const live = inUse.get(messages) ?? new Set<KeyMap>();
  inUse.set(messages, live);
  // Registered before the query, so a message another batch stores meanwhile is seen either way.
  live.add(byKey);
  const record = (map: KeyMap, keys: string[], ticketId: Types.ObjectId) => {
    for (const key of keys) map.get(key)?.set(ticketId.toHexString(), ticketId);
  };
  try {
    if (byKey.size > 0) {
      for (const m of await messages.listByThreadKeys([...byKey.keys()])) record(byKey, m.threadKeys, m.ticketId);
    }
  } catch (err) {
    live.delete(byKey);
    throw err;
  }
  return {
    add: (keys, ticketId) => live.forEach((map) => record(map, keys, ticketId)),
    release: () => void live.delete(byKey),
    ticketsFor(keys) {
      const found = new Map<string, Types.ObjectId>();
      for (const key of keys) {
        const tickets = byKey.get(key);
        if (!tickets) return null;
        for (const [hex, id] of tickets) found.set(hex, id);
      }
      return [...found.values()];
    },
  };
}

/**
 * The inboxes a mail may be filed in: the one that received it, and every inbox of ours it is
 * addressed to (To/Cc). Each copy of one mail sent to two of our addresses so threads alike, whichever
 * inbox reads it first.
 */
async function inboxesOf(inboxes: Pick<InboxStore, 'listIdsByAddresses'>, mail: ParsedMail, receivedBy: Types.ObjectId): Promise<string[]> {
  const ids = new Set([receivedBy.toHexString()]);
  const recipients = [...new Set([...mail.to, ...mail.cc].map((a) => a.address.toLowerCase()))];
  if (recipients.length > 0) {
    for (const inbox of await inboxes.listIdsByAddresses(recipients)) ids.add(inbox._id.toHexString());
  }
  return [...ids];
}

/** What a batch of mail offers threading: its look-ups so far and its queued ticket changes. */
export interface ThreadingBatch {
  index: ThreadKeyIndex;
  candidates: CandidateCache;
  /** A ticket as the batch's queued changes will leave it. */
  seen(ticket: ThreadCandidate): ThreadCandidate;
  /** Makes the database show what the batch queued (and drops its cached tickets), before a query on ticket activity. */
  settle(): Promise<void>;
}

/**
 * Finds the ticket a received mail belongs to (JWZ / RFC 5256 REFERENCES links, then our signed
 * Message-IDs, then the participant-only fallbacks) and decides join, merge, reopen, new, and which
 * tickets of other inboxes to relate to. Message-ID links are read from the batch's index, tickets
 * through its cache and as its queued changes will leave them.
 */
export async function findThread(deps: FindThreadDeps, mail: ParsedMail, receivedBy: Types.ObjectId, sender: string | null, batch: ThreadingBatch): Promise<ThreadDecision> {
  const { index, candidates } = batch;
  const now = deps.now();
  const keys = threadKeysOf(mail);
  const linkedIds = new Map<string, Types.ObjectId>();
  if (keys.length > 0) {
    const related = index.ticketsFor(keys) ?? (await deps.messages.listTicketIdsByThreadKeys(keys));
    for (const id of related) linkedIds.set(id.toHexString(), id);
  }
  // Our own ids name their ticket, so a reply threads even if the copy of our mail was never stored.
  const numbers = referencedIds(mail).map((id) => ticketNumberFromMessageId(id, deps.sign)).filter((n): n is number => n !== null);
  if (numbers.length > 0) {
    for (const t of await deps.tickets.listIdsByNumbers(numbers)) linkedIds.set(t._id.toHexString(), t._id);
  }
  const view = (c: ThreadCandidate) => batch.seen(c);
  const linked = (await loadRoots(deps.tickets, [...linkedIds.values()], candidates)).map(view);
  const sideLinked = await sideConversationLinked(deps, mail, linked.length > 0, candidates, view);
  // The addressed inboxes are looked up only once a ticket outside the receiving one matters.
  const received = receivedBy.toHexString();
  let inboxIds: string[] | null = null;
  const fileable = async () => (inboxIds ??= await inboxesOf(deps.inboxes, mail, receivedBy));
  const isOurs = (t: ThreadCandidate) => (inboxIds ?? [received]).includes(t.inboxId);
  if (linked.some((t) => t.inboxId !== received) || (sideLinked && sideLinked.ticket.inboxId !== received)) await fileable();

  let tokenTicket: ThreadCandidate | null = null;
  let subjectTicket: ThreadCandidate | null = null;
  let sideByToken: SideCandidate | null = null;
  if (!linked.some(isOurs) && !sideLinked) {
    const token = ticketTokenIn(mail.subject);
    if (token !== null) {
      const t = await deps.tickets.findIdByNumber(token);
      const found = t ? (await loadRoots(deps.tickets, [t._id], candidates))[0] : undefined;
      if (found) tokenTicket = view(found);
      if (found && found.inboxId !== received) await fileable();
      // A partner whose client dropped References still answers with the ticket's token.
      const side = found && sender ? await deps.sideConversations.findByParticipant([t!._id, new Types.ObjectId(found.ticketId)], sender) : null;
      if (side && tokenTicket) sideByToken = { sideConversationId: side._id.toHexString(), ticket: tokenTicket };
    }
    // A mail that names its parent by id belongs to that parent's conversation, even one not stored yet
    // (it joins when the parent arrives): a same-subject ticket of the sender would only be a guess.
    const namesUnknownParent = referencedIds(mail).length > 0;
    if (!(tokenTicket && isOurs(tokenTicket)) && sender && !namesUnknownParent && looksLikeReply(mail.subject)) {
      // This query reads participants and activity in the database, so they must include the batch's.
      await batch.settle();
      const since = new Date(now.getTime() - deps.settings.subjectMatchWithinSeconds * 1000);
      const inboxes = (await fileable()).map((id) => new Types.ObjectId(id));
      const t = await deps.tickets.findSubjectMatch({ baseSubject: baseSubject(mail.subject), participant: sender, inboxIds: inboxes, since });
      if (t) subjectTicket = candidate(t);
    }
  }
  return decideThread({ inboxIds: inboxIds ?? [received], linked, sideLinked, sideByToken, tokenTicket, subjectTicket, sender, now, reopenClosedWithinSeconds: deps.settings.reopenClosedWithinSeconds });
}

/**
 * The side conversation one of our side-conversation Message-IDs the mail references names, with
 * its ticket (the one holding its conversation). The id itself says so (it is signed), so this holds
 * even if the side conversation's own record could not be read: its ticket is then the one the id names.
 */
async function sideConversationLinked(deps: FindThreadDeps, mail: ParsedMail, linksATicket: boolean, cache: CandidateCache, view: (c: ThreadCandidate) => ThreadCandidate): Promise<SideCandidate | null> {
  const referenced = referencedIds(mail);
  const named = sideConversationReferenced(referenced, deps.sign);
  let found: { sideConversationId: string; ticketId: Types.ObjectId | undefined } | null = null;
  if (named) {
    const sc = await deps.sideConversations.findById(new Types.ObjectId(named.sideConversationId));
    found = { sideConversationId: named.sideConversationId, ticketId: sc?.ticketId ?? (await deps.tickets.findIdByNumber(named.ticketNumber))?._id };
  } else if (linksATicket && referenced.length > 0) {
    // A client that answers a partner's mail naming only that mail (not ours before it) still answers in the side conversation.
    const stored = await deps.messages.findSideConversationOf(referenced);
    if (stored) found = { sideConversationId: stored.sideConversationId.toHexString(), ticketId: stored.ticketId };
  }
  const ticket = found?.ticketId ? (await loadRoots(deps.tickets, [found.ticketId], cache))[0] : undefined;
  return found && ticket ? { sideConversationId: found.sideConversationId, ticket: view(ticket) } : null;
}
