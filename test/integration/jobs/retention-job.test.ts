import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda } from 'agenda';
import type { Collection } from 'mongodb';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retentionJob } from '../../../src/jobs/definitions.js';
import { createJobWorker, type JobWorker } from '../../../src/jobs/job-worker.js';
import { createScheduler, ensureJobIndexes } from '../../../src/jobs/scheduler.js';
import { RETENTION_CONTINUE_KEY, RETENTION_CRON, RETENTION_DAILY, RETENTION_DAILY_KEY, RETENTION_JOB } from '../../../src/services/retention/apply-retention.js';
import type { JobScheduler } from '../../../src/services/ports.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import { reclaimSpace } from '../../../src/store/reclaim-space.js';
import { openTestDb, testLogger } from '../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let agenda: Agenda;
let jobs: Collection;
let scheduler: JobScheduler;
let worker: JobWorker;

beforeAll(async () => {
  db = await openTestDb('retention_job');
  agenda = new Agenda({ backend: new MongoBackend({ mongo: db.connection.db!, collection: 'jobs' }), processEvery: 50, removeOnComplete: true });
  await agenda.ready;
  jobs = db.connection.db!.collection('jobs');
  await ensureJobIndexes(jobs);
  scheduler = createScheduler(agenda, jobs);
  const deps = {
    retention: db.stores.retention, accessLog: db.stores.accessLog, blobs: createBlobStore(db.connection.db!), scheduler, now: () => new Date(), logger: testLogger,
    reclaimSpace: (collections: string[]) => reclaimSpace(db.connection.db!, collections, testLogger),
  };
  worker = createJobWorker({ agenda, logger: testLogger, definitions: [retentionJob(deps, 5000)] });
  await worker.start();
});
afterAll(async () => {
  await worker.stop(2000);
  await db.drop();
});

describe('the retention job', () => {
  it('is scheduled once a day, however often a worker starts', async () => {
    await scheduler.scheduleRecurring(RETENTION_JOB, RETENTION_DAILY);
    await scheduler.scheduleRecurring(RETENTION_JOB, RETENTION_DAILY);
    const daily = await jobs.find({ name: RETENTION_JOB, 'data.key': RETENTION_DAILY_KEY }).toArray();
    expect(daily).toHaveLength(1);
    expect(daily[0]).toMatchObject({ repeatInterval: RETENTION_CRON, repeatTimezone: 'UTC' });
    expect((daily[0]!.nextRunAt as Date).getTime()).toBeGreaterThan(Date.now());
  });

  it('runs through the job worker: the due ticket is anonymised and the inbox logged', async () => {
    const inboxId = new Types.ObjectId();
    await db.models.Inbox.create({ _id: inboxId, name: 'Desk', address: 'desk@example.test', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 }, options: {}, retention: { months: 1, action: 'anonymise' } });
    const ticket = await db.models.Ticket.create({ number: 1, inboxId, subject: 'Old', requester: { email: 'old@customer.test' }, status: 'closed', closedAt: new Date(Date.now() - 90 * 86_400_000) });
    // As a run that ran out of time leaves it: a one-off continuation, due now.
    await scheduler.schedule(RETENTION_JOB, { key: RETENTION_CONTINUE_KEY });
    await expect.poll(async () => (await db.models.Ticket.findById(ticket._id).lean())?.anonymisedAt ?? null, { timeout: 10_000 }).toBeInstanceOf(Date);
    await expect.poll(() => db.models.AccessLog.countDocuments({ action: 'retention_applied', inboxId }), { timeout: 10_000 }).toBe(1);
    expect((await db.models.Ticket.findById(ticket._id).lean())!.requester.email).not.toContain('old@');
  });
});
