import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda } from 'agenda';
import type { Collection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_KEY_INDEX, createScheduler, ensureJobIndexes } from '../../../src/jobs/scheduler.js';
import type { JobScheduler } from '../../../src/services/ports.js';
import { openTestDb } from '../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let agenda: Agenda;
let jobs: Collection;
let scheduler: JobScheduler;

beforeAll(async () => {
  db = await openTestDb('scheduler');
  // Nobody processes these jobs: the test looks only at what is pending.
  agenda = new Agenda({ backend: new MongoBackend({ mongo: db.connection.db!, collection: 'jobs' }) });
  await agenda.ready;
  jobs = db.connection.db!.collection('jobs');
  await ensureJobIndexes(jobs);
  scheduler = createScheduler(agenda, jobs);
});
afterAll(() => db.drop());

const pending = async (name: string) =>
  (await jobs.find({ name }).sort({ 'data.key': 1 }).toArray()).map((j) => ({ key: (j.data as { key: string }).key, at: (j.nextRunAt as Date).toISOString(), id: String(j._id) }));

describe('the job scheduler', () => {
  it('indexes jobs by key and by ticket, the two ways Threadline looks them up', async () => {
    const names = (await jobs.indexes()).map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining([JOB_KEY_INDEX, 'threadline_ticket']));
  });

  it('cancels by a list of values in one go', async () => {
    const at = new Date(Date.now() + 3_600_000);
    for (const t of ['t1', 't2', 't3']) await scheduler.schedule('timer-a', { key: `${t}:x`, at, data: { ticketId: t } });
    await scheduler.cancelMatching('timer-a', { ticketId: ['t1', 't3'] });
    expect((await pending('timer-a')).map((j) => j.key)).toEqual(['t2:x']);
  });

  it('replaces the pending jobs of some tickets, leaving a job that is still due at the same time untouched', async () => {
    const soon = new Date(Date.now() + 3_600_000);
    const later = new Date(Date.now() + 7_200_000);
    await scheduler.schedule('timer-b', { key: 'a:reminder', at: soon, data: { ticketId: 'a' } });
    await scheduler.schedule('timer-b', { key: 'a:breach', at: later, data: { ticketId: 'a' } });
    await scheduler.schedule('timer-b', { key: 'b:reminder', at: soon, data: { ticketId: 'b' } });
    await scheduler.schedule('timer-b', { key: 'c:reminder', at: soon, data: { ticketId: 'c' } });
    const before = await pending('timer-b');
    const moved = new Date(Date.now() + 5_400_000);

    await scheduler.replaceMatching('timer-b', 'ticketId', ['a', 'b'], [
      { key: 'a:reminder', at: soon, data: { ticketId: 'a' } },
      { key: 'b:reminder', at: moved, data: { ticketId: 'b' } },
    ]);

    const after = await pending('timer-b');
    expect(after.map((j) => [j.key, j.at])).toEqual([
      ['a:reminder', soon.toISOString()],
      ['b:reminder', moved.toISOString()],
      ['c:reminder', soon.toISOString()],
    ]);
    // The unchanged job is the very same document; the other ticket's job is not touched at all.
    expect(after.find((j) => j.key === 'a:reminder')!.id).toBe(before.find((j) => j.key === 'a:reminder')!.id);
    expect(after.find((j) => j.key === 'c:reminder')!.id).toBe(before.find((j) => j.key === 'c:reminder')!.id);
  });
});
