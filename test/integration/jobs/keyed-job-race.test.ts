import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda } from 'agenda';
import { MongoClient, type Collection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { JOB_KEY_INDEX, createScheduler, ensureJobIndexes } from '../../../src/jobs/scheduler.js';
import type { JobScheduler } from '../../../src/services/ports.js';
import { uniqueDbName } from '../../helpers/db.js';

const dbName = uniqueDbName('keyed_race');
const clients: MongoClient[] = [];
const agendas: Agenda[] = [];
let jobs: Collection;

/** A scheduler with a connection of its own, as in another process. */
async function openScheduler(): Promise<{ agenda: Agenda; scheduler: JobScheduler }> {
  const client = await new MongoClient(inject('mongoUri')).connect();
  clients.push(client);
  const agenda = new Agenda({ backend: new MongoBackend({ mongo: client.db(dbName), collection: 'jobs' }) });
  agendas.push(agenda);
  await agenda.ready;
  return { agenda, scheduler: createScheduler(agenda, client.db(dbName).collection('jobs')) };
}

beforeAll(async () => {
  await openScheduler();
  jobs = clients[0]!.db(dbName).collection('jobs');
  await ensureJobIndexes(jobs);
});
afterAll(async () => {
  await clients[0]?.db(dbName).dropDatabase();
  for (const a of agendas) await a.stop().catch(() => {});
  for (const c of clients) await c.close();
});

const at = (i: number) => new Date(Date.UTC(2030, 0, 1, 0, i));

describe('keyed jobs under concurrent scheduling', () => {
  it('keeps one job per name and key with a partial unique index, and none for the old plain index', async () => {
    const indexes = await jobs.indexes();
    expect(indexes.find((i) => i.name === JOB_KEY_INDEX)).toMatchObject({
      key: { name: 1, 'data.key': 1 },
      unique: true,
      partialFilterExpression: { 'data.key': { $exists: true } },
    });
    expect(indexes.map((i) => i.name)).not.toContain('threadline_key');
  });

  it('stores exactly one job when 20 connections schedule the same key at once, and every call succeeds', async () => {
    const schedulers = await Promise.all(Array.from({ length: 20 }, () => openScheduler()));
    const results = await Promise.allSettled(schedulers.map((s, i) => s.scheduler.schedule('race-a', { key: 'ticket-1:breach', at: at(i), data: { ticketId: 'ticket-1' } })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const stored = await jobs.find({ name: 'race-a' }).toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.data).toEqual({ ticketId: 'ticket-1', key: 'ticket-1:breach' });
    expect(Array.from({ length: 20 }, (_, i) => at(i).getTime())).toContain((stored[0]!.nextRunAt as Date).getTime());
  });

  it('keeps one job per key when two keys are scheduled concurrently, and lets unkeyed jobs repeat', async () => {
    const schedulers = await Promise.all(Array.from({ length: 10 }, () => openScheduler()));
    const results = await Promise.allSettled(
      schedulers.flatMap((s, i) => [
        s.scheduler.schedule('race-b', { key: 'k1', at: at(i) }),
        s.scheduler.schedule('race-b', { key: 'k2', at: at(i) }),
        s.scheduler.schedule('race-b', { at: at(i) }),
      ]),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const keys = (await jobs.find({ name: 'race-b' }).toArray()).map((j) => (j.data as { key?: string } | null)?.key ?? null);
    expect(keys.filter((k) => k === 'k1')).toHaveLength(1);
    expect(keys.filter((k) => k === 'k2')).toHaveLength(1);
    expect(keys.filter((k) => k === null)).toHaveLength(10);
  });

  it('turns the E11000 of a losing upsert into an update of the job the winner inserted', async () => {
    const loser = await openScheduler();
    const winner = await openScheduler();
    const repo = loser.agenda.db;
    const saveJob = repo.saveJob.bind(repo);
    let calls = 0;
    // The losing side of a race: its upsert matched nothing, then its insert met the winner's job.
    // A clause no job satisfies makes the first upsert do exactly that, with the server's own E11000.
    repo.saveJob = async (job, options) => {
      if (calls++ > 0) return saveJob(job, options);
      await winner.scheduler.schedule('race-c', { key: 'only', at: at(1), data: { from: 'winner' } });
      return saveJob({ ...job, unique: { ...(job.unique as object), failCount: { $gt: 1e9 } } }, options);
    };

    await loser.scheduler.schedule('race-c', { key: 'only', at: at(2), data: { from: 'loser' } });

    expect(calls).toBe(2);
    const stored = await jobs.find({ name: 'race-c' }).toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ data: { from: 'loser', key: 'only' }, nextRunAt: at(2) });
  });

  it('replaces the old plain index, keeping the running or soonest-due job of each duplicated key', async () => {
    const legacy = clients[0]!.db(dbName).collection('legacy_jobs');
    await legacy.createIndex({ name: 1, 'data.key': 1 }, { name: 'threadline_key' });
    await legacy.insertMany([
      { name: 'sla', data: { key: 'a' }, nextRunAt: at(5), lockedAt: null },
      { name: 'sla', data: { key: 'a' }, nextRunAt: at(3), lockedAt: null },
      { name: 'sla', data: { key: 'a' }, nextRunAt: null, lockedAt: null },
      { name: 'sla', data: { key: 'b' }, nextRunAt: at(1), lockedAt: null },
      { name: 'sla', data: { key: 'b' }, nextRunAt: at(9), lockedAt: at(0) },
      { name: 'sla', data: { key: 'c' }, nextRunAt: at(7), lockedAt: null },
      { name: 'sla', data: {}, nextRunAt: at(1) },
      { name: 'sla', data: {}, nextRunAt: at(1) },
    ]);

    await ensureJobIndexes(legacy);
    await ensureJobIndexes(legacy);

    const names = (await legacy.indexes()).map((i) => i.name);
    expect(names).toContain(JOB_KEY_INDEX);
    expect(names).not.toContain('threadline_key');
    const left = await legacy.find({}, { projection: { _id: 0 } }).sort({ 'data.key': 1, nextRunAt: 1 }).toArray();
    expect(left).toEqual([
      { name: 'sla', data: {}, nextRunAt: at(1) },
      { name: 'sla', data: {}, nextRunAt: at(1) },
      { name: 'sla', data: { key: 'a' }, nextRunAt: at(3), lockedAt: null },
      { name: 'sla', data: { key: 'b' }, nextRunAt: at(9), lockedAt: at(0) },
      { name: 'sla', data: { key: 'c' }, nextRunAt: at(7), lockedAt: null },
    ]);
  });
});
