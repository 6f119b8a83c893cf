import type { Collection } from 'mongodb';
import type { Types } from 'mongoose';
import type { Models } from '../../src/store/models/index.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import type { ReceivedMail } from '../helpers/smtp.js';
import type { DeliveredMail, SoakThread } from './crash-soak-mail.js';

/** What the soak set up through the API before the first kill, to be found unchanged at the end. */
export interface SoakSetup {
  adminId: string;
  agent: { id: string; email: string };
  inbox: { id: string; address: string; imapPort: number; imapUser: string; smtpPort: number };
  imapPassword: string;
}

/** The state the checks read: the database after a clean stop, what the SMTP server received, the mailbox. */
export interface SoakEvidence {
  models: Models;
  jobs: Collection;
  secretKey: string;
  setup: SoakSetup;
  threads: SoakThread[];
  mails: DeliveredMail[];
  received: ReceivedMail[];
  mailbox: { uidValidity: string; highestUid: number };
}

/** The verdict of the checks, each failure naming the broken guarantee with examples, and figures. */
export interface SoakVerdict {
  failures: string[];
  figures: {
    stored: number;
    tickets: number;
    autoReplies: number;
    smtpDeliveries: number;
    distinctOutboundIds: number;
    repeatedCopies: number;
    repliesQuotingAutoReply: number;
  };
}

/** The jobs whose work the soak waits for: the acknowledgement of a new ticket and its delivery. */
export const SOAK_JOB_NAMES = ['auto-reply', 'deliver-outbox'];

/** The header block of a raw mail, unfolded, as name (lower-case) → first value. */
export function headersOf(raw: Buffer): Map<string, string> {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const block = (end < 0 ? text : text.slice(0, end)).replace(/\r\n[ \t]+/g, ' ');
  const out = new Map<string, string>();
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(colon + 1).trim());
  }
  return out;
}

/** The first `<id>` in a header value, without brackets. */
export function bracketed(value: string | undefined): string | null {
  return value ? (/<([^>]+)>/.exec(value)?.[1] ?? null) : null;
}

/** Work left after a clean stop: `inFlight` a later run will do, `stuck` nothing will ever pick up again. */
export interface Unsettled {
  inFlight: string[];
  stuck: string[];
}

/**
 * What is not done: mail past the cursor, messages not marked complete, auto-reply and delivery jobs
 * still due or locked, outbound mail not settled (stuck when no delivery job is left for it).
 */
export async function unsettledWork(models: Models, jobs: Collection, inboxId: Types.ObjectId, highestUid: number): Promise<Unsettled> {
  const [cursor, incomplete, unsent, due] = await Promise.all([
    models.MailboxCursor.findById(`${inboxId.toHexString()}:INBOX`).lean(),
    models.Message.countDocuments({ direction: 'inbound', ingestState: { $ne: 'complete' } }),
    models.Outbox.find({ state: { $in: ['pending', 'sending'] } }, { messageId: 1, state: 1, kind: 1 }).lean(),
    jobs.find({ name: { $in: SOAK_JOB_NAMES }, $or: [{ nextRunAt: { $ne: null } }, { lockedAt: { $ne: null } }] }, { projection: { name: 1, 'data.key': 1 } }).toArray(),
  ]);
  const inFlight: string[] = [];
  if ((cursor?.lastUid ?? 0) < highestUid) inFlight.push(`mailbox cursor at UID ${cursor?.lastUid ?? 'none'} of ${highestUid}`);
  if (incomplete > 0) inFlight.push(`${incomplete} received message(s) not marked complete`);
  if (due.length > 0) inFlight.push(`${due.length} auto-reply/delivery job(s) due or locked`);
  const delivering = new Set(due.filter((j) => j.name === 'deliver-outbox').map((j) => String((j.data as { key?: string } | undefined)?.key)));
  const waiting = unsent.filter((o) => delivering.has(o._id.toHexString()));
  const orphans = unsent.filter((o) => !delivering.has(o._id.toHexString()));
  if (waiting.length > 0) inFlight.push(`${waiting.length} outbound mail(s) pending or sending`);
  const stuck = orphans.length > 0 ? [`${orphans.length} outbound mail(s) ${orphans[0]!.state} with no delivery job left to send them: ${listed(orphans.map((o) => `${o.kind} ${o.messageId}`))}`] : [];
  return { inFlight, stuck };
}

function listed(examples: string[], max = 5): string {
  return examples.slice(0, max).join('; ') + (examples.length > max ? ` (+${examples.length - max} more)` : '');
}

const hex = (id: Types.ObjectId | null | undefined) => id?.toHexString() ?? 'none';

/**
 * Checks the soak's guarantees on the final state:
 * - users, the inbox (its sealed password still opens) and the mailbox cursor are as set up;
 * - every delivered mail is stored exactly once (by Message-ID), complete, none quarantined;
 * - each thread is one ticket of its own, opened by its first mail, holding exactly its mails;
 * - each new ticket has exactly one auto-reply: one outbox item under the key of its first mail, one
 *   Message-ID, sent; the SMTP server received that Message-ID at least once, every copy
 *   byte-identical, addressed to the customer from the null sender, answering the first mail; no
 *   other outbound mail and no Message-ID twice in the outbox;
 * - the trail records each ticket's creation and auto-reply once and each received mail once.
 */
export async function checkSoakOutcome(e: SoakEvidence): Promise<SoakVerdict> {
  const { models } = e;
  const failures: string[] = [];
  const fail = (what: string, examples: string[] = []) => failures.push(examples.length ? `${what}: ${listed(examples)}` : what);

  const users = await models.User.find({}, { email: 1, role: 1 }).lean();
  const userIds = new Set(users.map((u) => u._id.toHexString()));
  if (users.length !== 2 || !userIds.has(e.setup.adminId) || !userIds.has(e.setup.agent.id)) {
    fail('users changed', [`expected admin ${e.setup.adminId} and agent ${e.setup.agent.id}, found ${users.map((u) => `${u._id.toHexString()} ${u.email}`).join(', ') || 'none'}`]);
  }

  const inboxes = await models.Inbox.find({}).lean();
  const inbox = inboxes.find((i) => i._id.toHexString() === e.setup.inbox.id);
  if (inboxes.length !== 1 || !inbox) {
    fail('inboxes changed', [`expected ${e.setup.inbox.id}, found ${inboxes.map((i) => i._id.toHexString()).join(', ') || 'none'}`]);
  } else {
    const got = { address: inbox.address, imapPort: inbox.imap.port, imapUser: inbox.imap.user, smtpPort: inbox.smtp.port };
    const want = { address: e.setup.inbox.address, imapPort: e.setup.inbox.imapPort, imapUser: e.setup.inbox.imapUser, smtpPort: e.setup.inbox.smtpPort };
    if (JSON.stringify(got) !== JSON.stringify(want)) fail('inbox settings changed', [`${JSON.stringify(got)} instead of ${JSON.stringify(want)}`]);
    let opened: string | null = null;
    try {
      opened = inbox.imap.passwordSealed ? createSecretBox(e.secretKey).open(inbox.imap.passwordSealed, `inbox:${e.setup.inbox.id}:imap`) : null;
    } catch (err) {
      opened = `(${(err as Error).message})`;
    }
    if (opened !== e.setup.imapPassword) fail('the inbox\'s sealed IMAP password no longer opens to what was set', [String(opened)]);
  }

  const cursors = await models.MailboxCursor.find({}).lean();
  const cursor = cursors.find((c) => c._id === `${e.setup.inbox.id}:INBOX`);
  if (cursors.length !== 1 || !cursor || cursor.uidValidity !== e.mailbox.uidValidity || cursor.lastUid !== e.mailbox.highestUid) {
    fail('mailbox cursor wrong', [`expected ${e.setup.inbox.id}:INBOX at UID ${e.mailbox.highestUid} (UIDVALIDITY ${e.mailbox.uidValidity}), found ${cursors.map((c) => `${c._id} at ${c.lastUid} (${c.uidValidity})`).join(', ') || 'none'}`]);
  }

  const quarantined = await models.Quarantine.find({}, { reason: 1, detail: 1 }).lean();
  if (quarantined.length > 0) fail(`${quarantined.length} mail(s) quarantined`, quarantined.map((q) => `${q.reason}: ${String(q.detail).split('\n')[0]}`));

  // Every delivered mail stored exactly once, by Message-ID.
  const inbound = await models.Message.find({ direction: 'inbound' }, { messageId: 1, ticketId: 1, ingestState: 1, dedupeKey: 1 }).lean();
  const byMessageId = new Map<string, typeof inbound>();
  for (const m of inbound) byMessageId.set(m.messageId ?? '(none)', [...(byMessageId.get(m.messageId ?? '(none)') ?? []), m]);
  const planned = new Set(e.mails.map((m) => m.messageId));
  const lost = e.mails.filter((m) => !byMessageId.has(m.messageId)).map((m) => `${m.messageId} (UID ${m.uid})`);
  const doubled = [...byMessageId].filter(([id, docs]) => planned.has(id) && docs.length > 1).map(([id, docs]) => `${id} ×${docs.length}`);
  const strangers = [...byMessageId.keys()].filter((id) => !planned.has(id));
  const incomplete = inbound.filter((m) => m.ingestState !== 'complete').map((m) => `${m.messageId} (${m.ingestState})`);
  if (lost.length) fail(`${lost.length} delivered mail(s) never stored`, lost);
  if (doubled.length) fail(`${doubled.length} mail(s) stored more than once`, doubled);
  if (strangers.length) fail(`${strangers.length} stored inbound message(s) nobody delivered`, strangers);
  if (incomplete.length) fail(`${incomplete.length} stored mail(s) not complete`, incomplete);

  // Threading: one ticket per thread, opened by its first mail, holding its mails and no others.
  const tickets = await models.Ticket.find({}).lean();
  const ticketById = new Map(tickets.map((t) => [t._id.toHexString(), t]));
  const ticketOfThread = new Map<number, string>();
  const split: string[] = [];
  for (const thread of e.threads) {
    const ids = new Set(thread.messageIds.flatMap((id) => (byMessageId.get(id) ?? []).map((m) => hex(m.ticketId))));
    if (ids.size > 1) split.push(`thread ${thread.index} over tickets ${[...ids].join(', ')}`);
    const first = byMessageId.get(thread.messageIds[0]!)?.[0];
    if (first) ticketOfThread.set(thread.index, hex(first.ticketId));
  }
  if (split.length) fail(`${split.length} thread(s) split over tickets`, split);
  const shared = [...new Set(ticketOfThread.values())].filter((id) => [...ticketOfThread.values()].filter((v) => v === id).length > 1);
  if (shared.length) fail(`${shared.length} ticket(s) holding more than one thread`, shared);
  if (tickets.length !== e.threads.length) fail(`${tickets.length} tickets for ${e.threads.length} threads`);
  const merged = tickets.filter((t) => t.mergedIntoId).map((t) => `#${t.number} into ${hex(t.mergedIntoId)}`);
  if (merged.length) fail(`${merged.length} ticket(s) merged`, merged);
  const numbers = tickets.map((t) => t.number);
  if (new Set(numbers).size !== numbers.length) fail('ticket numbers repeat');

  const outbound = await models.Message.find({ direction: 'outbound' }, { messageId: 1, ticketId: 1, delivery: 1 }).lean();
  const wrongOrigin: string[] = [];
  const wrongCount: string[] = [];
  const withAutoReply: string[] = [];
  const withoutAutoReply: string[] = [];
  for (const thread of e.threads) {
    const ticket = ticketById.get(ticketOfThread.get(thread.index) ?? '');
    if (!ticket) continue;
    const first = byMessageId.get(thread.messageIds[0]!)![0]!;
    if (ticket.originKey !== first.dedupeKey || ticket.requester.email !== thread.sender) wrongOrigin.push(`#${ticket.number} (thread ${thread.index})`);
    const inboundCount = thread.messageIds.length;
    const outboundCount = outbound.filter((m) => hex(m.ticketId) === hex(ticket._id)).length;
    const described = `#${ticket.number}: ${ticket.messageCount} for ${inboundCount} received + ${outboundCount} sent`;
    if (ticket.messageCount < inboundCount || ticket.messageCount > inboundCount + outboundCount) wrongCount.push(described);
    else if (outboundCount > 0) (ticket.messageCount > inboundCount ? withAutoReply : withoutAutoReply).push(described);
  }
  if (wrongOrigin.length) fail(`${wrongOrigin.length} ticket(s) not opened by their thread's first mail`, wrongOrigin);
  if (wrongCount.length) fail(`${wrongCount.length} ticket(s) with a message count no recount gives`, wrongCount);
  // Whether the auto-reply counts is a design choice; that it depends on where a kill fell is not.
  if (withAutoReply.length > 0 && withoutAutoReply.length > 0) {
    const [few, which] = withAutoReply.length <= withoutAutoReply.length ? [withAutoReply, 'counting it'] : [withoutAutoReply, 'not counting it'];
    fail(`messageCount counts the auto-reply on ${withAutoReply.length} ticket(s) and not on ${withoutAutoReply.length}, depending on where the kills fell (an ingest resumed after a kill recounts the whole conversation); those ${which}`, few);
  }

  // Auto-replies: one outbox item, one Message-ID, per new ticket; nothing else sent.
  const outbox = await models.Outbox.find({}).lean();
  const others = outbox.filter((o) => o.kind !== 'auto-reply').map((o) => `${o.kind} ${o.messageId}`);
  if (others.length) fail(`${others.length} outbound mail(s) other than auto-replies`, others);
  if (new Set(outbox.map((o) => o.messageId)).size !== outbox.length) fail('an outbound Message-ID is in the outbox twice');
  const outboxById = new Map(outbox.map((o) => [o.messageId, o]));
  const notOne: string[] = [];
  const wrongKey: string[] = [];
  const unsent: string[] = [];
  for (const thread of e.threads) {
    const ticketId = ticketOfThread.get(thread.index);
    const first = byMessageId.get(thread.messageIds[0]!)?.[0];
    if (!ticketId || !first) continue;
    const items = outbox.filter((o) => o.kind === 'auto-reply' && hex(o.ticketId) === ticketId);
    if (items.length !== 1) notOne.push(`thread ${thread.index} (#${ticketById.get(ticketId)?.number}): ${items.length}`);
    for (const item of items) {
      if (item.dedupeKey !== `auto-reply:${first._id.toHexString()}`) wrongKey.push(`${item.messageId} keyed ${item.dedupeKey}`);
      if (item.state !== 'sent') unsent.push(`${item.messageId} ${item.state} after ${item.attempts} attempt(s)`);
    }
  }
  if (notOne.length) fail(`${notOne.length} new ticket(s) without exactly one auto-reply in the outbox`, notOne);
  if (wrongKey.length) fail(`${wrongKey.length} auto-reply(ies) not keyed by the ticket's first mail`, wrongKey);
  if (unsent.length) fail(`${unsent.length} auto-reply(ies) never marked sent`, unsent);
  const storedOutbound = new Map<string, number>();
  for (const m of outbound) storedOutbound.set(m.messageId ?? '', (storedOutbound.get(m.messageId ?? '') ?? 0) + 1);
  const notStored = outbox.filter((o) => storedOutbound.get(o.messageId) !== 1).map((o) => `${o.messageId} ×${storedOutbound.get(o.messageId) ?? 0}`);
  if (notStored.length) fail(`${notStored.length} auto-reply(ies) not in their conversation exactly once`, notStored);
  const strayOutbound = outbound.filter((m) => !outboxById.has(m.messageId ?? '')).map((m) => String(m.messageId));
  if (strayOutbound.length) fail(`${strayOutbound.length} outbound message(s) with no outbox item`, strayOutbound);
  const staleDelivery = outbound
    .filter((m) => outboxById.get(m.messageId ?? '')?.state === 'sent' && m.delivery?.state !== 'sent')
    .map((m) => `${m.messageId} (${m.delivery?.state ?? 'none'})`);
  if (staleDelivery.length) fail(`${staleDelivery.length} auto-reply(ies) sent but shown undelivered in their conversation`, staleDelivery);

  // The receiving side: one distinct Message-ID per new ticket, repeats identical.
  const copies = new Map<string, ReceivedMail[]>();
  for (const mail of e.received) {
    const id = bracketed(headersOf(mail.raw).get('message-id')) ?? '(none)';
    copies.set(id, [...(copies.get(id) ?? []), mail]);
  }
  const unknownIds = [...copies.keys()].filter((id) => !outboxById.has(id));
  if (unknownIds.length) fail(`${unknownIds.length} Message-ID(s) received that the outbox does not hold`, unknownIds);
  const neverArrived = outbox.filter((o) => !copies.has(o.messageId)).map((o) => `${o.messageId} (${o.state})`);
  if (neverArrived.length) fail(`${neverArrived.length} auto-reply(ies) the SMTP server never received`, neverArrived);
  const differing = [...copies].filter(([, list]) => new Set(list.map((m) => m.raw.toString('latin1'))).size > 1).map(([id, list]) => `${id} (${list.length} copies)`);
  if (differing.length) fail(`${differing.length} Message-ID(s) received with different content`, differing);
  const perRoot = new Map<string, Set<string>>();
  const misaddressed: string[] = [];
  const senderOf = new Map(e.threads.map((t) => [t.messageIds[0]!, t.sender]));
  for (const [id, list] of copies) {
    const mail = list[0]!;
    const root = bracketed(headersOf(mail.raw).get('in-reply-to')) ?? '(none)';
    perRoot.set(root, new Set([...(perRoot.get(root) ?? []), id]));
    const to = senderOf.get(root);
    if (!to || list.some((m) => m.mailFrom !== '' || m.rcptTo.length !== 1 || m.rcptTo[0] !== to)) {
      misaddressed.push(`${id} to ${mail.rcptTo.join(',')} from <${mail.mailFrom}> answering ${root}`);
    }
  }
  const notOneReceived = e.threads.filter((t) => perRoot.get(t.messageIds[0]!)?.size !== 1).map((t) => `thread ${t.index}: ${perRoot.get(t.messageIds[0]!)?.size ?? 0}`);
  if (notOneReceived.length) fail(`${notOneReceived.length} new ticket(s) whose customer did not receive exactly one distinct auto-reply`, notOneReceived);
  if (misaddressed.length) fail(`${misaddressed.length} auto-reply(ies) not from the null sender to the thread's customer answering its first mail`, misaddressed);

  // The trail: created once, each received mail once, the auto-reply sent once and never also suppressed.
  const events = await models.TicketEvent.find({ type: { $in: ['created', 'message_received', 'auto_reply_sent', 'auto_reply_suppressed'] } }, { ticketId: 1, type: 1, data: 1 }).lean();
  const trail = new Map<string, Map<string, number>>();
  for (const ev of events) {
    const counts = trail.get(hex(ev.ticketId)) ?? new Map<string, number>();
    counts.set(ev.type, (counts.get(ev.type) ?? 0) + 1);
    trail.set(hex(ev.ticketId), counts);
  }
  const wrongTrail: string[] = [];
  const suppressed: string[] = [];
  for (const thread of e.threads) {
    const ticketId = ticketOfThread.get(thread.index);
    if (!ticketId) continue;
    const counts = trail.get(ticketId) ?? new Map<string, number>();
    const got = { created: counts.get('created') ?? 0, received: counts.get('message_received') ?? 0, sent: counts.get('auto_reply_sent') ?? 0 };
    if (got.created !== 1 || got.received !== thread.messageIds.length || got.sent !== 1) {
      wrongTrail.push(`#${ticketById.get(ticketId)?.number}: created ${got.created}, received ${got.received}/${thread.messageIds.length}, auto-reply sent ${got.sent}`);
    }
    if (counts.get('auto_reply_suppressed')) {
      const reasons = events.filter((ev) => hex(ev.ticketId) === ticketId && ev.type === 'auto_reply_suppressed').map((ev) => String((ev.data as { reason?: string }).reason));
      suppressed.push(`#${ticketById.get(ticketId)?.number} (${reasons.join(', ')}; auto-reply sent ${got.sent})`);
    }
  }
  if (wrongTrail.length) fail(`${wrongTrail.length} ticket trail(s) off`, wrongTrail);
  if (suppressed.length) fail(`${suppressed.length} ticket(s) whose trail says the auto-reply was suppressed`, suppressed);

  const failedJobs = await e.jobs.find({ name: { $in: SOAK_JOB_NAMES }, failedAt: { $ne: null } }, { projection: { name: 1, failReason: 1, 'data.key': 1 } }).toArray();
  if (failedJobs.length) fail(`${failedJobs.length} job(s) failed`, failedJobs.map((j) => `${String(j.name)} ${String((j.data as { key?: string } | undefined)?.key)}: ${String(j.failReason)}`));

  return {
    failures,
    figures: {
      stored: inbound.length,
      tickets: tickets.length,
      autoReplies: outbox.filter((o) => o.kind === 'auto-reply').length,
      smtpDeliveries: e.received.length,
      distinctOutboundIds: copies.size,
      repeatedCopies: e.received.length - copies.size,
      repliesQuotingAutoReply: e.mails.filter((m) => m.answersAutoReply).length,
    },
  };
}
