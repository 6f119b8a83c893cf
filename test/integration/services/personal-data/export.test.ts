import type { Readable } from 'node:stream';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeStoredMail } from '../../../../src/mail/compose-stored-mail.js';
import type { Actor } from '../../../../src/services/access.js';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import { downloadPersonalDataExport } from '../../../../src/services/personal-data/download-export.js';
import { listPersonalDataExports } from '../../../../src/services/personal-data/list-exports.js';
import { requestPersonalDataExport } from '../../../../src/services/personal-data/request-export.js';
import { PERSONAL_DATA_EXPORT_JOB, runPersonalDataExport } from '../../../../src/services/personal-data/run-export.js';
import { sweepPersonalDataExports } from '../../../../src/services/personal-data/sweep-exports.js';
import type { JobScheduler } from '../../../../src/services/ports.js';
import type { BlobStore } from '../../../../src/store/blob-store.js';
import { createUser } from '../../../helpers/api.js';
import { appErrorFrom } from '../../../helpers/app-error.js';
import { testLogger } from '../../../helpers/db.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { rawMail } from '../../../helpers/mail.js';
import { readZip } from '../../../helpers/zip.js';

const DAY = 24 * 3600_000;

let fx: Awaited<ReturnType<typeof ingestFixture>>;
let blobs: BlobStore;
let ada: Actor;
let bea: Actor;
let manager: Actor;
let contactId: string;
let aliasId: string;
const scheduled: Array<{ name: string; key?: string }> = [];
const scheduler: JobScheduler = {
  schedule: async (name, opts) => void scheduled.push({ name, ...(opts.key ? { key: opts.key } : {}) }),
  cancel: async () => {},
  cancelMatching: async () => {},
  replaceMatching: async () => {},
  scheduleRecurring: async () => {},
};
const ids: { m1?: Types.ObjectId; m3?: Types.ObjectId } = {};

const depsAt = (now: () => Date) => ({ ...fx.stores, blobs, composeStoredMail, scheduler, now, logger: testLogger });
const deps = () => depsAt(() => new Date());
const archiveFiles = () => fx.db.connection.db!.collection('blobs.files').countDocuments({ filename: /^personal-data-/ });

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Asks for an export as `actor` and runs its job once; the export's id. */
async function exportReady(actor: Actor, now: () => Date = () => new Date()): Promise<Types.ObjectId> {
  const { export: view } = await requestPersonalDataExport(depsAt(now), actor, contactId);
  const id = new Types.ObjectId(view.id);
  expect(await runPersonalDataExport(depsAt(now), id)).toBe('ready');
  return id;
}

function multipartMail(opts: { from: string; subject: string; messageId: string; text: string; file: { name: string; content: string } }): Buffer {
  return Buffer.from(
    [
      `From: ${opts.from}`,
      'To: support@example.test',
      // Another data subject on the ticket: not named in the person's tickets.
      'Cc: Colleague <colleague@person.test>',
      `Subject: ${opts.subject}`,
      `Date: ${new Date().toUTCString()}`,
      `Message-ID: <${opts.messageId}>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="XX"',
      '',
      '--XX',
      'Content-Type: text/plain; charset=utf-8',
      '',
      opts.text,
      '--XX',
      `Content-Type: text/plain; name="${opts.file.name}"`,
      `Content-Disposition: attachment; filename="${opts.file.name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(opts.file.content).toString('base64'),
      '--XX--',
      '',
    ].join('\r\n'),
  );
}

beforeAll(async () => {
  fx = await ingestFixture('pd_export');
  blobs = fx.deps.blobs;
  const inboxId = fx.inbox._id;
  const ingest = (raw: Buffer, uid: number) => ingestEmail(fx.deps, { inboxId, raw, source: { folder: 'INBOX', uidValidity: '1', uid } });
  await ingest(rawMail({ from: 'Paula Persona <paula@person.test>', subject: 'Broken kettle', messageId: 'm1@person.test', body: 'The kettle whistles all night.' }), 1);
  await ingest(rawMail({ from: 'Paula at work <Paula.Work@job.test>', subject: 'Office coffee machine', messageId: 'm2@job.test', body: 'The coffee machine leaks.' }), 2);
  await ingest(multipartMail({ from: 'Paula Persona <paula@person.test>', subject: 'Photos of the kettle', messageId: 'm3@person.test', text: 'Photos attached.', file: { name: 'kettle.txt', content: 'steam everywhere' } }), 3);
  await ingest(rawMail({ from: 'Otto Other <otto@other.test>', subject: 'Unrelated question', messageId: 'o1@other.test', body: 'Nothing to do with Paula.' }), 4);

  const primary = (await fx.models.Contact.findOne({ email: 'paula@person.test' }).lean())!;
  const alias = (await fx.models.Contact.findOne({ email: 'paula.work@job.test' }).lean())!;
  await fx.models.Contact.updateOne({ _id: alias._id }, { $set: { primaryContactId: primary._id } });
  contactId = primary._id.toHexString();
  aliasId = alias._id.toHexString();
  ids.m1 = (await fx.models.Message.findOne({ messageId: 'm1@person.test' }).lean())!._id;
  // The third mail's original is not kept: its .eml is rebuilt from what was stored, attachment included.
  ids.m3 = (await fx.models.Message.findOneAndUpdate({ messageId: 'm3@person.test' }, { $set: { raw: null } }).lean())!._id;
  const kettle = (await fx.models.Ticket.findOne({ subject: 'Broken kettle' }).lean())!;
  await fx.models.SatisfactionRating.create({ ticketId: kettle._id, inboxId, teamId: null, assigneeId: null, email: 'paula@person.test', askedAt: new Date(), solvedAt: new Date(), rating: 'good', comment: 'Quick fix, thank you', ratedAt: new Date(), changedAt: null });

  const adaUser = await createUser(fx.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  const beaUser = await createUser(fx.models, { email: 'bea@example.test', password: 'bea password 123', role: 'admin', name: 'Bea' });
  const maxUser = await createUser(fx.models, { email: 'max@example.test', password: 'max password 123', role: 'manager', inboxIds: [inboxId], name: 'Max' });
  ada = { userId: adaUser._id, role: 'admin', inboxIds: [] };
  bea = { userId: beaUser._id, role: 'admin', inboxIds: [] };
  manager = { userId: maxUser._id, role: 'manager', inboxIds: [inboxId] };
});

afterAll(async () => {
  await fx?.db.drop();
});

describe('personal data export', () => {
  it('writes one zip: person.json with the person, their tickets, messages, ratings and trail, and each message as .eml', async () => {
    const { export: view, created } = await requestPersonalDataExport(deps(), ada, aliasId);
    expect(created).toBe(true);
    expect(view).toMatchObject({ contactId, state: 'queued', downloadable: false });
    expect(scheduled).toContainEqual({ name: PERSONAL_DATA_EXPORT_JOB, key: view.id });
    // A second click while it is queued gives the same export.
    const again = await requestPersonalDataExport(deps(), ada, contactId);
    expect(again).toMatchObject({ created: false, export: { id: view.id } });

    expect(await runPersonalDataExport(deps(), new Types.ObjectId(view.id))).toBe('ready');
    const stored = (await fx.models.PersonalDataExport.findById(view.id).lean())!;
    expect(stored).toMatchObject({ state: 'ready', counts: { tickets: 3, messages: 3 } });
    const zip = readZip(await blobs.read(stored.fileId!));
    const tickets = await fx.models.Ticket.find({ 'requester.email': { $in: ['paula@person.test', 'paula.work@job.test'] } }).sort({ number: 1 }).lean();
    const byId = new Map(tickets.map((t) => [t._id.toHexString(), t.number]));
    const kettle = tickets.find((t) => t.subject === 'Broken kettle')!;
    const office = tickets.find((t) => t.subject === 'Office coffee machine')!;
    const photos = tickets.find((t) => t.subject === 'Photos of the kettle')!;
    expect([...zip.keys()].sort()).toEqual(['messages/' + kettle.number + '-1.eml', 'messages/' + office.number + '-1.eml', 'messages/' + photos.number + '-1.eml', 'person.json'].sort());

    const person = JSON.parse(zip.get('person.json')!.toString('utf8'));
    expect(person.format).toBe('threadline-personal-data/1');
    expect(person.person.primary).toMatchObject({ id: contactId, email: 'paula@person.test', name: 'Paula Persona' });
    expect(person.person.aliases).toEqual([expect.objectContaining({ id: aliasId, email: 'paula.work@job.test' })]);
    expect(person.person.addresses.sort()).toEqual(['paula.work@job.test', 'paula@person.test']);
    expect(person.tickets.map((t: { number: number }) => t.number)).toEqual(tickets.map((t) => t.number));
    expect(person.tickets[0]).toMatchObject({ subject: expect.any(String), status: expect.any(String), requester: { email: expect.any(String) } });
    expect(tickets.some((t) => t.participants.includes('colleague@person.test'))).toBe(true);
    expect(JSON.stringify(person.tickets)).not.toContain('colleague@person.test');
    expect(person.messages).toHaveLength(3);
    const first = person.messages.find((m: { messageId: string }) => m.messageId === 'm1@person.test');
    expect(first).toMatchObject({ direction: 'inbound', subject: 'Broken kettle', from: { address: 'paula@person.test', name: 'Paula Persona' }, eml: `messages/${kettle.number}-1.eml` });
    expect(first.text).toContain('The kettle whistles all night.');
    const withFile = person.messages.find((m: { messageId: string }) => m.messageId === 'm3@person.test');
    expect(withFile.attachments).toEqual([expect.objectContaining({ filename: 'kettle.txt', size: 'steam everywhere'.length })]);
    for (const m of person.messages) expect(zip.has(m.eml)).toBe(true);
    expect(person.messages.map((m: { ticketId: string; ticketNumber: number }) => byId.get(m.ticketId) === m.ticketNumber)).toEqual([true, true, true]);
    expect(person.satisfactionRatings).toEqual([expect.objectContaining({ ticketNumber: kettle.number, rating: 'good', comment: 'Quick fix, thank you' })]);
    expect(person.trail.length).toBeGreaterThan(0);
    expect(person.trail.every((e: { ticketNumber: number }) => byId.has(tickets.find((t) => t.number === e.ticketNumber)!._id.toHexString()))).toBe(true);

    // The kept original, byte for byte; the other one rebuilt with its attachment.
    const m1 = (await fx.models.Message.findById(ids.m1).lean())!;
    expect(zip.get(`messages/${kettle.number}-1.eml`)!.equals(await blobs.read(m1.raw!.fileId))).toBe(true);
    const rebuilt = zip.get(`messages/${photos.number}-1.eml`)!.toString('latin1');
    expect(rebuilt).toMatch(/^Subject: Photos of the kettle\r$/m);
    expect(rebuilt).toMatch(/^From: Paula Persona <paula@person\.test>\r$/m);
    expect(rebuilt).toContain('filename=kettle.txt');
    expect(rebuilt).toContain(Buffer.from('steam everywhere').toString('base64'));

    // Nobody else's mail.
    for (const entry of zip.values()) expect(entry.toString('latin1')).not.toMatch(/otto|Unrelated question/i);
    const logged = await fx.models.AccessLog.find({ action: 'export_requested' }).lean();
    expect(logged).toEqual([expect.objectContaining({ userId: ada.userId, contactId: new Types.ObjectId(contactId) })]);
  });

  it('writes one archive however often its job runs, and leaves nothing of a run cut short', async () => {
    const { export: view } = await requestPersonalDataExport(deps(), bea, contactId);
    const id = new Types.ObjectId(view.id);
    // A run that died mid-upload: its file id recorded, some chunks written, no file document.
    const cut = new Types.ObjectId();
    expect(await fx.stores.personalDataExports.startBuild(id, null, cut)).toBe(true);
    await fx.db.connection.db!.collection('blobs.chunks').insertOne({ files_id: cut, n: 0, data: Buffer.from('half an archive') });
    const before = await archiveFiles();

    const outcomes = await Promise.all([runPersonalDataExport(deps(), id), runPersonalDataExport(deps(), id)]);
    expect(outcomes.sort()).toEqual(['ready', 'skipped']);
    expect(await runPersonalDataExport(deps(), id)).toBe('skipped');
    expect(await fx.db.connection.db!.collection('blobs.chunks').countDocuments({ files_id: cut })).toBe(0);
    expect(await archiveFiles()).toBe(before + 1);
    const stored = (await fx.models.PersonalDataExport.findById(id).lean())!;
    expect(stored.state).toBe('ready');
    expect(readZip(await blobs.read(stored.fileId!)).has('person.json')).toBe(true);
  });

  it('is downloaded once, by the admin who asked for it, and logged', async () => {
    const id = await exportReady(ada);
    const exportId = id.toHexString();
    const stored = (await fx.models.PersonalDataExport.findById(id).lean())!;
    const zip = await blobs.read(stored.fileId!);

    expect((await appErrorFrom(downloadPersonalDataExport(deps(), bea, contactId, exportId))).code).toBe('FORBIDDEN');
    expect((await appErrorFrom(downloadPersonalDataExport(deps(), manager, contactId, exportId))).code).toBe('FORBIDDEN');
    expect((await appErrorFrom(downloadPersonalDataExport(deps(), ada, aliasId, exportId))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(downloadPersonalDataExport(deps(), ada, contactId, new Types.ObjectId().toHexString()))).code).toBe('NOT_FOUND');
    const listed = await listPersonalDataExports(deps(), ada, contactId);
    expect(listed.find((e) => e.id === exportId)).toMatchObject({ state: 'ready', downloadable: true, downloadPath: `/contacts/${contactId}/exports/${exportId}/download`, requestedBy: { name: 'Ada' } });
    expect((await listPersonalDataExports(deps(), bea, contactId)).find((e) => e.id === exportId)).toMatchObject({ state: 'ready', downloadable: false, downloadPath: null });
    expect(await listPersonalDataExports(deps(), manager, contactId)).toEqual([]);

    const file = await downloadPersonalDataExport(deps(), ada, contactId, exportId);
    expect(file).toMatchObject({ contentType: 'application/zip', filename: expect.stringMatching(new RegExp(`^personal-data-\\d{4}-\\d{2}-\\d{2}-${exportId}\\.zip$`)) });
    expect((await bytesOf(file.stream)).equals(zip)).toBe(true);
    await file.finish();
    expect((await appErrorFrom(blobs.read(stored.fileId!))).code).toBe('NOT_FOUND');
    expect(await fx.models.PersonalDataExport.findById(id).lean()).toMatchObject({ state: 'downloaded', fileId: null, downloadedAt: expect.any(Date) });

    const second = await appErrorFrom(downloadPersonalDataExport(deps(), ada, contactId, exportId));
    expect(second).toMatchObject({ code: 'GONE', key: 'gone.personalDataExport.downloaded' });
    expect(second.httpStatus).toBe(410);
    expect(await fx.models.AccessLog.countDocuments({ action: 'export_downloaded', userId: ada.userId, detail: `export ${exportId}` })).toBe(1);
  });

  it('gives two downloads at once one archive', async () => {
    const exportId = (await exportReady(ada)).toHexString();
    const results = await Promise.allSettled([downloadPersonalDataExport(deps(), ada, contactId, exportId), downloadPersonalDataExport(deps(), ada, contactId, exportId)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'GONE' } });
    const file = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof downloadPersonalDataExport>>>).value;
    expect(readZip(await bytesOf(file.stream)).has('person.json')).toBe(true);
    await file.finish();
  });

  it('refuses what is not ready, and exports for anyone but admins', async () => {
    const { export: view } = await requestPersonalDataExport(deps(), ada, contactId);
    expect((await appErrorFrom(downloadPersonalDataExport(deps(), ada, contactId, view.id))).code).toBe('CONFLICT');
    expect(await runPersonalDataExport(deps(), new Types.ObjectId(view.id))).toBe('ready');
    expect((await appErrorFrom(requestPersonalDataExport(deps(), manager, contactId))).code).toBe('FORBIDDEN');
    expect((await appErrorFrom(requestPersonalDataExport(deps(), { ...manager, role: 'agent' }, contactId))).code).toBe('FORBIDDEN');
    expect((await appErrorFrom(requestPersonalDataExport(deps(), ada, new Types.ObjectId().toHexString()))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(requestPersonalDataExport(deps(), ada, 'not-an-id'))).code).toBe('NOT_FOUND');
  });

  it('expires archives not downloaded in 7 days, removes them, and schedules a lost job again', async () => {
    const longAgo = new Date(Date.now() - 8 * DAY);
    const old = await exportReady(ada, () => longAgo);
    const oldFile = (await fx.models.PersonalDataExport.findById(old).lean())!.fileId!;
    const { export: lost } = await requestPersonalDataExport(depsAt(() => new Date(Date.now() - 3600_000)), bea, contactId);
    scheduled.length = 0;

    const swept = await sweepPersonalDataExports(deps());
    expect(swept.expired).toBeGreaterThanOrEqual(1);
    expect(await fx.models.PersonalDataExport.findById(old).lean()).toMatchObject({ state: 'expired', fileId: null });
    expect((await appErrorFrom(blobs.read(oldFile))).code).toBe('NOT_FOUND');
    expect(await appErrorFrom(downloadPersonalDataExport(deps(), ada, contactId, old.toHexString()))).toMatchObject({ code: 'GONE', key: 'gone.personalDataExport.expired' });
    expect(scheduled).toContainEqual({ name: PERSONAL_DATA_EXPORT_JOB, key: lost.id });

    // Nothing left to do: a second sweep changes nothing.
    expect(await sweepPersonalDataExports(deps())).toMatchObject({ expired: 0, removed: 0 });
    // Every archive still stored belongs to a ready export.
    const ready = await fx.models.PersonalDataExport.countDocuments({ state: 'ready' });
    expect(await archiveFiles()).toBe(ready);
  });
});
