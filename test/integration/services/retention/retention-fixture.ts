import { Binary, type Db } from 'mongodb';
import { Types } from 'mongoose';
import type { BlobStore } from '../../../../src/store/blob-store.js';
import type { Models } from '../../../../src/store/models/index.js';

const MONTH_MS = 31 * 86_400_000;

/** A time `months` months (of 31 days) before now: tests run on any date, against the wall clock. */
export const monthsAgo = (months: number) => new Date(Date.now() - months * MONTH_MS);

/** The person on the tickets a run should clear: name, address, and a word of their mail, each unique. */
export const PERSON = { name: 'Zoltan Quibblewick', address: 'zoltan.quibblewick@retention.test', word: 'zorblaxifier' } as const;
/** The person on the tickets a run must leave alone. */
export const KEPT = { name: 'Ada Keepington', address: 'ada.keepington@retention.test', word: 'wibbleshanks' } as const;

let number = 0;

/**
 * A ticket with everything that belongs to one: a customer mail with an attachment and its raw copy in
 * GridFS, an agent reply, trail entries naming the customer, an outbox copy, a rating with a comment,
 * a notification, a reply draft and an upload (with its file).
 */
export async function seedTicket(
  models: Models,
  blobs: BlobStore,
  inboxId: Types.ObjectId,
  opts: { status: 'closed' | 'solved' | 'open' | 'spam'; closedAt: Date | null; who?: typeof PERSON | typeof KEPT; linkedTo?: Types.ObjectId; sharedFileId?: Types.ObjectId },
) {
  const who = opts.who ?? PERSON;
  const n = ++number;
  const userId = new Types.ObjectId();
  const attachment = await blobs.put(Buffer.from(`attachment of ${who.name}: ${who.word}`), { filename: `${who.word}.txt`, contentType: 'text/plain' });
  const raw = await blobs.put(Buffer.from(`From: ${who.name} <${who.address}>\r\nSubject: ${who.word}\r\n\r\n${who.word}\r\n`), { filename: 'm.eml', contentType: 'message/rfc822' });
  const upload = await blobs.put(Buffer.from(`upload quoting ${who.word}`), { filename: 'u.txt', contentType: 'text/plain' });
  await models.Contact.updateOne({ email: who.address }, { $setOnInsert: { email: who.address, name: who.name } }, { upsert: true });
  const ticket = await models.Ticket.create({
    number: n, inboxId, subject: `My ${who.word} broke`, baseSubject: `my ${who.word} broke`, status: opts.status, closedAt: opts.closedAt, solvedAt: opts.closedAt,
    requester: { email: who.address, name: who.name }, participants: [who.address], searchTerms: [who.word, `s:${who.word}`],
    messageCount: 2, linkedTicketIds: opts.linkedTo ? [opts.linkedTo] : [], metrics: { firstResponseSeconds: 60 },
    createdAt: monthsAgo(30), lastActivityAt: opts.closedAt ?? new Date(),
  });
  const attachments = [{ fileId: attachment.id, filename: `${who.word}.txt`, contentType: 'text/plain', size: attachment.size, sha256: attachment.sha256, inline: false }];
  if (opts.sharedFileId) attachments.push({ fileId: opts.sharedFileId, filename: 'shared.txt', contentType: 'text/plain', size: 1, sha256: 'x', inline: false });
  const inbound = await models.Message.create({
    ticketId: ticket._id, inboxId, direction: 'inbound', messageId: `<m${n}@retention.test>`, subject: `My ${who.word} broke`, text: `Hello, ${who.word} here`, html: `<p>${who.word}</p>`,
    from: { address: who.address, name: who.name }, to: [{ address: 'desk@example.test' }], cc: [{ address: who.address }], replyTo: [{ address: who.address, name: who.name }],
    attachments, raw: { fileId: raw.id, size: raw.size, sha256: raw.sha256 }, dedupeKey: `dk-${n}`,
  });
  await models.Message.create({
    ticketId: ticket._id, inboxId, direction: 'outbound', messageId: `<r${n}@example.test>`, subject: `Re: My ${who.word} broke`, text: `Dear ${who.name}, about ${who.word}`,
    from: { address: 'desk@example.test' }, to: [{ address: who.address, name: who.name }], bcc: [{ address: who.address }], authorId: userId,
    delivery: { state: 'failed', error: `550 ${who.address} unknown`, at: new Date() },
  });
  await models.TicketEvent.create([
    { ticketId: ticket._id, type: 'created', actor: { kind: 'contact', label: who.name }, data: { from: who.address, subject: who.word } },
    { ticketId: ticket._id, type: 'message_received', actor: { kind: 'contact', label: who.address }, data: { messageId: inbound._id, excerpt: who.word } },
    { ticketId: ticket._id, type: 'status_changed', actor: { kind: 'user', id: userId, label: 'Agent Smith' }, data: { from: 'open', to: 'closed' }, at: opts.closedAt ?? new Date() },
  ]);
  await models.Outbox.create({ kind: 'agent-reply', inboxId, ticketId: ticket._id, messageId: `r${n}@example.test`, subject: `Re: ${who.word}`, envelope: { from: 'desk@example.test', to: [who.address] }, raw: Buffer.from(`To: ${who.address}\r\n\r\n${who.word}`), state: 'sent' });
  await models.SatisfactionRating.create({ ticketId: ticket._id, inboxId, email: who.address, askedAt: monthsAgo(20), solvedAt: monthsAgo(20), rating: 'bad', comment: `${who.word} still broken` });
  await models.Notification.create({ userId, kind: 'assigned', key: `${userId.toHexString()}:n${n}`, ticketId: ticket._id, ticketNumber: n, ticketSubject: `My ${who.word} broke`, inboxId, at: new Date(), data: { excerpt: who.word } });
  await models.ReplyDraft.create({ userId, ticketId: ticket._id, text: `Dear ${who.name}`, updatedAt: new Date() });
  await models.Upload.create({ userId, ticketId: ticket._id, inboxId, fileId: upload.id, filename: `${who.word}.txt`, contentType: 'text/plain', size: upload.size, sha256: upload.sha256, createdAt: new Date() });
  return { ticketId: ticket._id, files: [attachment.id, raw.id, upload.id] };
}

/** Every string of a value at any depth; binary data read as text. */
function strings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Binary) out.push(Buffer.from(value.buffer).toString('latin1'));
  else if (Buffer.isBuffer(value) || value instanceof Uint8Array) out.push(Buffer.from(value).toString('latin1'));
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Types.ObjectId)) for (const v of Object.values(value)) strings(v, out);
}

/** The collections (GridFS chunks included) holding any of these texts, in any case. */
export async function collectionsHolding(db: Db, needles: readonly string[]): Promise<string[]> {
  const lower = needles.map((n) => n.toLowerCase());
  const found = new Set<string>();
  for (const { name } of await db.listCollections().toArray()) {
    for await (const doc of db.collection(name).find({})) {
      const text: string[] = [];
      strings(doc, text);
      if (text.some((s) => lower.some((n) => s.toLowerCase().includes(n)))) found.add(name);
    }
  }
  return [...found].sort();
}

/** Empties every collection (keeping indexes), so each test starts from nothing. */
export async function emptyDatabase(db: Db): Promise<void> {
  for (const { name } of await db.listCollections().toArray()) if (!name.startsWith('system.')) await db.collection(name).deleteMany({});
}
