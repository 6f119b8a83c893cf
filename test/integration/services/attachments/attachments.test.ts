import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../../../src/mail/parse-mail.js';
import { createScanCommand } from '../../../../src/mail/scan-command.js';
import { createMailSender } from '../../../../src/mail/smtp-transport.js';
import type { Actor } from '../../../../src/services/access.js';
import { openUpload } from '../../../../src/services/attachments/open-upload.js';
import { uploadFile, UPLOAD_UNUSED_TTL_MS, type UploadFileDeps } from '../../../../src/services/attachments/upload-file.js';
import { createInbox } from '../../../../src/services/inboxes/create-inbox.js';
import { deliverOutboxItem } from '../../../../src/services/outbound/deliver-outbox-item.js';
import { replyToTicket, type SendReplyDeps } from '../../../../src/services/tickets/send-reply.js';
import { createBlobStore } from '../../../../src/store/blob-store.js';
import type { InboxDoc } from '../../../../src/store/models/inbox.js';
import { createSecretBox, createSigner } from '../../../../src/store/secret-box.js';
import { appErrorFrom } from '../../../helpers/app-error.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { newInboxInput, TEST_SECRET_KEY } from '../../../helpers/inbox.js';
import { startSmtp, type TestSmtp } from '../../../helpers/smtp.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

// Issue 18: agents' uploads are streamed into GridFS within limits, scanned by a real command, kept
// to their uploader, swept when unused, and sent with the reply (a large mail through the outbox's blob path).
const MARKER = 'THREADLINE-TEST-VIRUS-MARKER';
const KB = 1024;
const MB = 1024 * 1024;

let db: Awaited<ReturnType<typeof openTestDb>>;
let blobs: ReturnType<typeof createBlobStore>;
let inbox: InboxDoc;
let smtp: TestSmtp;
let scripts: string;
let clock = new Date('2026-03-02T10:00:00Z');
const secrets = createSecretBox(TEST_SECRET_KEY);
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const gina: Actor = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [] };
const otto: Actor = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [] };
const limits = { maxFileBytes: 2 * MB, maxMailBytes: 3 * MB, maxFiles: 3 };
let number = 0;

/** A scan hook script: refuses files holding the marker (exit 1, a clamdscan-like line), else clean. */
function script(name: string, body: string): string {
  const file = path.join(scripts, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

beforeAll(async () => {
  db = await openTestDb('attachments');
  blobs = createBlobStore(db.connection.db!);
  await blobs.ensureIndexes();
  smtp = await startSmtp();
  const view = await createInbox({ ...db.stores, secrets, logger: testLogger }, admin, newInboxInput('help@attach.test'));
  await db.models.Inbox.updateOne({ _id: view.id }, { $set: { smtp: { host: '127.0.0.1', port: smtp.port, secure: false }, quoteHistory: false } });
  inbox = (await db.stores.inboxes.findById(new Types.ObjectId(view.id)))!;
  gina.inboxIds = [inbox._id];
  otto.inboxIds = [inbox._id];
  scripts = mkdtempSync(path.join(tmpdir(), 'tl-scan-'));
});
afterAll(async () => {
  await smtp?.close();
  await db?.drop();
});

const uploadDeps = (extra: Pick<Partial<UploadFileDeps>, 'scanUpload' | 'attachmentLimits'> = {}) => ({ ...db.stores, blobs, attachmentLimits: limits, now: () => clock, ...extra });
const replyDeps = (): SendReplyDeps => ({ ...db.stores, blobs, attachmentLimits: limits, scheduler: noJobs, compose, sign: createSigner(TEST_SECRET_KEY), now: () => clock, outboxBlobs: blobs, outboxInlineRawMaxBytes: 4 * MB });
const file = (name: string, bytes: Buffer, contentType = 'application/octet-stream') => ({ filename: name, contentType, stream: Readable.from([bytes]) });
/** A lean outbox document holds its bytes as a BSON Binary. */
const bytesOf = (raw: Buffer | { buffer: Uint8Array }) => (Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer));
const countBlobs = () => db.connection.db!.collection('blobs.files').countDocuments();
const countChunks = () => db.connection.db!.collection('blobs.chunks').countDocuments();

async function newTicket() {
  number += 1;
  const ticket = await db.models.Ticket.create({ number, inboxId: inbox._id, subject: 'Printer', requester: { email: 'ann@customer.test' }, status: 'open' });
  await db.models.Message.create({ ticketId: ticket._id, inboxId: inbox._id, direction: 'inbound', messageId: `m${number}@customer.test`, from: { address: 'ann@customer.test' }, to: [{ address: inbox.address }], subject: 'Printer', text: 'Broken.' });
  return ticket._id.toHexString();
}

describe('uploadFile', () => {
  it('streams a file into GridFS and keeps it for its uploader only', async () => {
    const ticketId = await newTicket();
    const bytes = Buffer.from('%PDF-1.4 invoice\n');
    const up = await uploadFile(uploadDeps(), gina, { ticketId }, file('../../etc/invoice.pdf', bytes, 'application/pdf; name=x'));
    expect(up).toMatchObject({ filename: 'invoice.pdf', size: bytes.length, contentType: 'application/pdf', url: `/tickets/${ticketId}/uploads/${up.id}` });
    const opened = await openUpload(uploadDeps(), gina, ticketId, up.id);
    expect(Buffer.concat(await opened.stream.toArray())).toEqual(bytes);
    // Another agent of the same inbox, or the same agent under another ticket, finds nothing.
    expect((await appErrorFrom(openUpload(uploadDeps(), otto, ticketId, up.id))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(openUpload(uploadDeps(), gina, await newTicket(), up.id))).code).toBe('NOT_FOUND');
    // A ticket the agent cannot work takes no upload, and nothing is stored.
    const before = await countBlobs();
    const stranger: Actor = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [] };
    expect((await appErrorFrom(uploadFile(uploadDeps(), stranger, { ticketId }, file('a.txt', Buffer.from('x'))))).code).toBe('NOT_FOUND');
    expect(await countBlobs()).toBe(before);
  });

  it('cuts a file off at the per-file limit, refuses it (413) and leaves nothing stored', async () => {
    const ticketId = await newTicket();
    const [blobsBefore, chunksBefore, uploadsBefore] = [await countBlobs(), await countChunks(), await db.models.Upload.countDocuments()];
    // 3 MB in 64 KB pieces: the stream stops at 2 MB, never holding the file whole.
    const pieces = Array.from({ length: 48 }, () => Buffer.alloc(64 * KB, 7));
    const err = await appErrorFrom(uploadFile(uploadDeps(), gina, { ticketId }, { filename: 'big.bin', contentType: 'application/octet-stream', stream: Readable.from(pieces) }));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.key).toBe('upload.tooLarge');
    expect(err.params).toMatchObject({ filename: 'big.bin', maxMb: 2 });
    expect([await countBlobs(), await countChunks(), await db.models.Upload.countDocuments()]).toEqual([blobsBefore, chunksBefore, uploadsBefore]);
    // Exactly at the limit is fine.
    const ok = await uploadFile(uploadDeps(), gina, { ticketId }, file('exact.bin', Buffer.alloc(2 * MB, 1)));
    expect(ok.size).toBe(2 * MB);
  });

  it('runs the scan hook on every upload: clean passes, a refusal names the scanner’s line (422), failures and timeouts fail closed', async () => {
    const ticketId = await newTicket();
    const scan = script('scan.sh', `if grep -q '${MARKER}'; then echo "stdin: Threadline-Test-Marker FOUND"; exit 1; fi\nexit 0`);
    const deps = uploadDeps({ scanUpload: createScanCommand(scan, { timeoutMs: 10_000 }) });
    const clean = await uploadFile(deps, gina, { ticketId }, file('notes.txt', Buffer.from('all good\n')));
    expect(clean.size).toBe(9);

    const before = await countBlobs();
    const refused = await appErrorFrom(uploadFile(deps, gina, { ticketId }, file('evil.txt', Buffer.from(`hello ${MARKER} bye`))));
    expect(refused.code).toBe('UPLOAD_REFUSED');
    expect(refused.httpStatus).toBe(422);
    expect(refused.params).toMatchObject({ filename: 'evil.txt', reason: 'stdin: Threadline-Test-Marker FOUND' });
    expect(await countBlobs()).toBe(before);

    const broken = uploadDeps({ scanUpload: createScanCommand(script('broken.sh', 'cat >/dev/null; echo "cannot reach clamd" >&2; exit 2'), { timeoutMs: 10_000 }) });
    const unscannable = await appErrorFrom(uploadFile(broken, gina, { ticketId }, file('a.txt', Buffer.from('fine'))));
    expect([unscannable.code, unscannable.key]).toEqual(['UPLOAD_REFUSED', 'upload.unscannable']);

    const missing = uploadDeps({ scanUpload: createScanCommand('/nonexistent/clamdscan -', { timeoutMs: 10_000 }) });
    expect((await appErrorFrom(uploadFile(missing, gina, { ticketId }, file('a.txt', Buffer.from('fine'))))).key).toBe('upload.unscannable');

    const slow = uploadDeps({ scanUpload: createScanCommand(script('slow.sh', 'exec sleep 30'), { timeoutMs: 300 }) });
    const started = Date.now();
    expect((await appErrorFrom(uploadFile(slow, gina, { ticketId }, file('a.txt', Buffer.from('fine'))))).key).toBe('upload.unscannable');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await countBlobs()).toBe(before);
  });

  it('removes unused uploads older than a day, with their files, on the next upload; used ones stay', async () => {
    const ticketId = await newTicket();
    clock = new Date('2026-03-02T10:00:00Z');
    const old = await uploadFile(uploadDeps(), gina, { ticketId }, file('old.txt', Buffer.from('old')));
    const kept = await uploadFile(uploadDeps(), gina, { ticketId }, file('kept.txt', Buffer.from('kept')));
    await replyToTicket(replyDeps(), gina, ticketId, { form: { text: 'See attached.', uploadIds: [kept.id] } });
    const oldFile = (await db.models.Upload.findById(old.id).lean())!.fileId;

    clock = new Date(clock.getTime() + UPLOAD_UNUSED_TTL_MS + 60_000);
    await uploadFile(uploadDeps(), gina, { ticketId }, file('new.txt', Buffer.from('new')));
    expect(await db.models.Upload.findById(old.id).lean()).toBeNull();
    expect(await db.connection.db!.collection('blobs.files').findOne({ _id: oldFile })).toBeNull();
    expect((await db.models.Upload.findById(kept.id).lean())!.usedAt).not.toBeNull();
    const keptFile = (await db.models.Upload.findById(kept.id).lean())!.fileId;
    expect(await db.connection.db!.collection('blobs.files').findOne({ _id: keptFile })).not.toBeNull();
  });
});

describe('replyToTicket with uploads', () => {
  it('sends them as attachments and inline images, lists them on the stored message, and a retried request attaches them once', async () => {
    const ticketId = await newTicket();
    const pdf = await uploadFile(uploadDeps(), gina, { ticketId }, file('report.pdf', Buffer.from('%PDF report'), 'application/pdf'));
    const png = await uploadFile(uploadDeps(), gina, { ticketId }, file('shot.png', Buffer.from('\x89PNG fake', 'latin1'), 'image/png'));
    const form = { text: 'Report attached.', html: `<p>Look:</p><p><img src="/tickets/${ticketId}/uploads/${png.id}" alt="shot"></p>`, uploadIds: [pdf.id], requestKey: 'k-1' };
    const deps = { ...replyDeps(), sanitizeHtml: (h: string) => h };
    const first = await replyToTicket(deps, gina, ticketId, { form });
    const again = await replyToTicket(deps, gina, ticketId, { form });
    expect(again._id).toEqual(first._id);
    expect(await db.models.Outbox.countDocuments({ ticketId: new Types.ObjectId(ticketId) })).toBe(1);

    const mail = await parseMail(bytesOf(first.raw), { maxBytes: 10 * MB });
    const parts = mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content.toString('latin1'), inline: Boolean(a.contentId) }));
    expect(parts).toEqual(
      expect.arrayContaining([
        { filename: 'report.pdf', contentType: 'application/pdf', content: '%PDF report', inline: false },
        { filename: 'shot.png', contentType: 'image/png', content: '\x89PNG fake', inline: true },
      ]),
    );
    expect(mail.html).toContain(`src="cid:${png.id}.upload@threadline"`);
    const stored = (await db.models.Message.findOne({ messageId: first.messageId }).lean())!;
    expect(stored.attachments.map((a) => [a.filename, a.inline])).toEqual([['shot.png', true], ['report.pdf', false]]);
    expect(stored.html).toContain('cid:');
    expect(await db.models.Upload.countDocuments({ _id: { $in: [pdf.id, png.id] }, usedAt: { $ne: null } })).toBe(2);
  });

  it('refuses another agent’s upload, and more than the per-mail limits', async () => {
    const ticketId = await newTicket();
    const ottos = await uploadFile(uploadDeps(), otto, { ticketId }, file('otto.txt', Buffer.from('mine')));
    const err = await appErrorFrom(replyToTicket(replyDeps(), gina, ticketId, { form: { text: 'Hi', uploadIds: [ottos.id] } }));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(err.details)).toContain('uploadIds.0');
    // Another agent's image in the HTML is dropped, not sent.
    const other = await replyToTicket({ ...replyDeps(), sanitizeHtml: (h: string) => h }, gina, ticketId, { form: { text: 'Hi', html: `<p>Hi <img src="/tickets/${ticketId}/uploads/${ottos.id}"></p>` } });
    expect((await parseMail(bytesOf(other.raw), { maxBytes: MB })).attachments).toEqual([]);

    const big = await Promise.all([1, 2].map((i) => uploadFile(uploadDeps(), gina, { ticketId }, file(`part${i}.bin`, Buffer.alloc(1.6 * MB, i)))));
    const tooBig = await appErrorFrom(replyToTicket(replyDeps(), gina, ticketId, { form: { text: 'Both', uploadIds: big.map((u) => u.id) } }));
    expect([tooBig.code, tooBig.key]).toEqual(['PAYLOAD_TOO_LARGE', 'upload.mailTooLarge']);
    const small = await Promise.all([1, 2, 3, 4].map((i) => uploadFile(uploadDeps(), gina, { ticketId }, file(`s${i}.txt`, Buffer.from('s')))));
    expect((await appErrorFrom(replyToTicket(replyDeps(), gina, ticketId, { form: { text: 'Four', uploadIds: small.map((u) => u.id) } }))).key).toBe('upload.tooMany');
  });

  it('keeps a 15 MB attachment’s mail in the blob store and delivers it to the SMTP server byte for byte', async () => {
    const ticketId = await newTicket();
    const big = { maxFileBytes: 20 * MB, maxMailBytes: 25 * MB, maxFiles: 20 };
    const content = Buffer.alloc(15 * MB);
    for (let i = 0; i < content.length; i += 4) content.writeUInt32LE((i * 2654435761) >>> 0, i);
    const up = await uploadFile(uploadDeps({ attachmentLimits: big }), gina, { ticketId }, { filename: 'dump.bin', contentType: 'application/octet-stream', stream: Readable.from(chunksOf(content, 256 * KB)) });
    const item = await replyToTicket({ ...replyDeps(), attachmentLimits: big }, gina, ticketId, { form: { text: 'The dump.', uploadIds: [up.id] } });
    const doc = (await db.models.Outbox.findById(item._id).lean())!;
    expect(doc.rawBlobId).toBeTruthy();
    expect(bytesOf(doc.raw).length).toBe(0);

    const sender = createMailSender({ connectionTimeoutMs: 10_000 });
    try {
      const outcome = await deliverOutboxItem({ ...db.stores, sender, secrets, now: () => new Date(), logger: testLogger, settings: { maxAttempts: 3, backoff: { baseMs: 1000, maxMs: 1000 } }, outboxBlobs: blobs }, item._id, 60_000);
      expect(outcome).toBe('sent');
    } finally {
      sender.close();
    }
    const received = smtp.received.find((m) => m.raw.includes(Buffer.from(item.messageId)))!;
    const mail = await parseMail(received.raw, { maxBytes: 40 * MB });
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]!.filename).toBe('dump.bin');
    expect(mail.attachments[0]!.content.equals(content)).toBe(true);
    // Sent: the separate bytes are gone; the message's attachment (the upload's file) stays.
    expect(await db.connection.db!.collection('blobs.files').findOne({ _id: doc.rawBlobId! })).toBeNull();
    expect(await db.connection.db!.collection('blobs.files').findOne({ _id: (await db.models.Upload.findById(up.id).lean())!.fileId })).not.toBeNull();
  }, 120_000);
});

function* chunksOf(buf: Buffer, size: number) {
  for (let at = 0; at < buf.length; at += size) yield buf.subarray(at, at + size);
}
