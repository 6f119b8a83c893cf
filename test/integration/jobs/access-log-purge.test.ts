import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda } from 'agenda';
import type { Collection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessLogPurgeJob } from '../../../src/jobs/definitions.js';
import { createScheduler, ensureJobIndexes } from '../../../src/jobs/scheduler.js';
import { ACCESS_LOG_PURGE_DAILY, ACCESS_LOG_PURGE_JOB } from '../../../src/services/access-log/purge-access-log.js';
import { openTestDb } from '../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let agenda: Agenda;
let jobs: Collection;

beforeAll(async () => {
  db = await openTestDb('access_log_purge');
  // Nobody processes these jobs: the test looks at what is pending, and runs the handler itself.
  agenda = new Agenda({ backend: new MongoBackend({ mongo: db.connection.db!, collection: 'jobs' }) });
  await agenda.ready;
  jobs = db.connection.db!.collection('jobs');
  await ensureJobIndexes(jobs);
});
afterAll(() => db.drop());

describe('the access log purge job', () => {
  it('is one daily job however many workers start', async () => {
    const scheduler = createScheduler(agenda, jobs);
    const plan = () => scheduler.scheduleRecurring(ACCESS_LOG_PURGE_JOB, ACCESS_LOG_PURGE_DAILY);
    await Promise.all([plan(), plan()]);
    await plan();
    const pending = await jobs.find({ name: ACCESS_LOG_PURGE_JOB }).toArray();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ data: { key: 'daily' }, repeatInterval: '20 3 * * *', repeatTimezone: 'UTC' });
  });

  it('removes what is past the retention when it runs, and nothing more when it runs again', async () => {
    const now = new Date('2026-06-01T03:20:00Z');
    const day = 86_400_000;
    for (const age of [800, 31, 29, 0]) await db.stores.accessLog.record({ at: new Date(now.getTime() - age * day), userId: null, action: 'ticket_viewed' });
    const job = accessLogPurgeJob({ accessLog: db.stores.accessLog, now: () => now, retentionDays: 30 }, 60_000);
    expect(job.name).toBe(ACCESS_LOG_PURGE_JOB);
    await job.handler({ key: 'daily' }, { id: 'x', attempts: 0 });
    await job.handler({ key: 'daily' }, { id: 'x', attempts: 1 });
    const left = await db.models.AccessLog.find({}).sort({ at: 1 }).lean();
    expect(left.map((e) => Math.round((now.getTime() - e.at.getTime()) / day))).toEqual([29, 0]);
  });
});
