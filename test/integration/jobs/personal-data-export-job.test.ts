import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda } from 'agenda';
import type { Collection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personalDataExportJob, personalDataSweepJob } from '../../../src/jobs/definitions.js';
import { createJobWorker, type JobWorker } from '../../../src/jobs/job-worker.js';
import { createScheduler, ensureJobIndexes } from '../../../src/jobs/scheduler.js';
import { composeStoredMail } from '../../../src/mail/compose-stored-mail.js';
import type { Actor } from '../../../src/services/access.js';
import { ingestEmail } from '../../../src/services/ingest/ingest-email.js';
import { requestPersonalDataExport } from '../../../src/services/personal-data/request-export.js';
import { PERSONAL_DATA_EXPORT_JOB } from '../../../src/services/personal-data/run-export.js';
import { PERSONAL_DATA_SWEEP_JOB } from '../../../src/services/personal-data/sweep-exports.js';
import type { JobScheduler } from '../../../src/services/ports.js';
import { createBlobStore, type BlobStore } from '../../../src/store/blob-store.js';
import { createUser } from '../../helpers/api.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { ingestDepsOver } from '../../helpers/ingest.js';
import { rawMail } from '../../helpers/mail.js';
import { readZip } from '../../helpers/zip.js';

/* The export and sweep jobs as the job worker runs them, on Agenda: scheduled by the request, run again without a second archive. */

let db: Awaited<ReturnType<typeof openTestDb>>;
let blobs: BlobStore;
let agenda: Agenda;
let jobs: Collection;
let scheduler: JobScheduler;
let worker: JobWorker;
let admin: Actor;
let contactId: string;

const deps = () => ({ ...db.stores, blobs, composeStoredMail, scheduler, now: () => new Date(), logger: testLogger });
const archives = () => db.connection.db!.collection('blobs.files').countDocuments({ filename: /^personal-data-/ });
const finishedAt = async (name: string, key: string) => ((await jobs.findOne({ name, 'data.key': key }))?.lastFinishedAt as Date | undefined)?.getTime() ?? 0;

beforeAll(async () => {
  db = await openTestDb('pd_export_job');
  blobs = createBlobStore(db.connection.db!);
  await blobs.ensureIndexes();
  agenda = new Agenda({ backend: new MongoBackend({ mongo: db.connection.db!, collection: 'jobs' }), processEvery: 50 });
  await agenda.ready;
  jobs = db.connection.db!.collection('jobs');
  await ensureJobIndexes(jobs);
  scheduler = createScheduler(agenda, jobs);
  worker = createJobWorker({ agenda, logger: testLogger, definitions: [personalDataExportJob(deps(), 10_000), personalDataSweepJob(deps(), 10_000)] });
  await worker.start();

  const inbox = await db.models.Inbox.create({ name: 'Support', address: 'support@example.test', imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false } });
  const ingest = ingestDepsOver(db, blobs, { now: () => new Date(), ownAddresses: async () => new Set(['support@example.test']) });
  await ingestEmail(ingest, { inboxId: inbox._id, raw: rawMail({ from: 'Jon Job <jon@person.test>', subject: 'Refund', body: 'Where is my refund?' }), source: null });
  contactId = (await db.models.Contact.findOne({ email: 'jon@person.test' }).lean())!._id.toHexString();
  const user = await createUser(db.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  admin = { userId: user._id, role: 'admin', inboxIds: [] };
});

afterAll(async () => {
  await worker?.stop(2000);
  await db?.drop();
});

describe('the personal data export jobs', () => {
  it('make the archive the request scheduled, and running the job again adds no second one', async () => {
    const { export: view } = await requestPersonalDataExport(deps(), admin, contactId);
    const state = async () => (await db.models.PersonalDataExport.findById(view.id).lean())?.state;
    await expect.poll(state, { timeout: 10_000 }).toBe('ready');
    expect(await archives()).toBe(1);
    const first = (await db.models.PersonalDataExport.findById(view.id).lean())!;
    expect(readZip(await blobs.read(first.fileId!)).size).toBe(2);

    // Run again (a duplicate schedule, a job Agenda runs twice): the export is done, nothing is added.
    const before = await finishedAt(PERSONAL_DATA_EXPORT_JOB, view.id);
    await scheduler.schedule(PERSONAL_DATA_EXPORT_JOB, { key: view.id, data: { exportId: view.id } });
    await expect.poll(() => finishedAt(PERSONAL_DATA_EXPORT_JOB, view.id), { timeout: 10_000 }).toBeGreaterThan(before);
    expect(await archives()).toBe(1);
    expect(await db.models.PersonalDataExport.findById(view.id).lean()).toMatchObject({ state: 'ready', fileId: first.fileId });
  });

  it('sweeps an export past its expiry: expired, its archive removed', async () => {
    const ready = (await db.models.PersonalDataExport.findOne({ state: 'ready' }).lean())!;
    await db.models.PersonalDataExport.updateOne({ _id: ready._id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await scheduler.schedule(PERSONAL_DATA_SWEEP_JOB, { key: 'test' });
    await expect.poll(async () => (await db.models.PersonalDataExport.findById(ready._id).lean())?.state, { timeout: 10_000 }).toBe('expired');
    await expect.poll(archives, { timeout: 10_000 }).toBe(0);
    expect(await db.connection.db!.collection('blobs.chunks').countDocuments({ files_id: ready.fileId })).toBe(0);
  });
});
