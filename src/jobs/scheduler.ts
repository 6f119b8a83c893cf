import type { Agenda, Job } from 'agenda';
import type { Collection, ObjectId } from 'mongodb';

import type { JobScheduler } from '../services/ports.js';

/** The unique index on a keyed job; it replaced the plain index `threadline_key` on the same fields. */
export const JOB_KEY_INDEX = 'threadline_key_unique';

const isDuplicateKey = (err: unknown) => (err as { code?: number } | null)?.code === 11000;
// 26: no jobs collection yet; 27: the old index is already gone.
const ignoreMissing = (err: unknown) => ([26, 27].includes((err as { code?: number }).code ?? 0) ? undefined : Promise.reject(err));

/**
 * Indexes for how Threadline finds its jobs: by unique key (every keyed schedule is an upsert on it,
 * and without uniqueness two concurrent upserts on MongoDB can both insert) and by ticket (moving a
 * ticket's SLA timer). Without them each of those scans every job. Jobs scheduled without a key are
 * left out of the unique index.
 */
export async function ensureJobIndexes(jobs: Collection): Promise<void> {
  await jobs.dropIndex('threadline_key').catch(ignoreMissing);
  const createKeyIndex = () =>
    jobs.createIndex({ name: 1, 'data.key': 1 }, { name: JOB_KEY_INDEX, unique: true, partialFilterExpression: { 'data.key': { $exists: true } } });
  try {
    await createKeyIndex();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    await removeDuplicateKeyedJobs(jobs);
    await createKeyIndex();
  }
  await jobs.createIndex({ name: 1, 'data.ticketId': 1 }, { name: 'threadline_ticket' });
}

/**
 * Keeps one job per name and key, as the unique index requires: a running one if any, else the one
 * due first (every handler is idempotent, so running early is harmless where running late is not).
 */
async function removeDuplicateKeyedJobs(jobs: Collection): Promise<void> {
  const groups = await jobs
    .aggregate<{ ids: ObjectId[] }>([
      { $match: { 'data.key': { $exists: true } } },
      { $addFields: { dueAt: { $ifNull: ['$nextRunAt', new Date(8.64e15)] } } },
      { $sort: { lockedAt: -1, dueAt: 1, _id: 1 } },
      { $group: { _id: { name: '$name', key: '$data.key' }, ids: { $push: '$_id' } } },
      { $match: { 'ids.1': { $exists: true } } },
    ])
    .toArray();
  const extra = groups.flatMap((g) => g.ids.slice(1));
  if (extra.length > 0) await jobs.deleteMany({ _id: { $in: extra } });
}

/**
 * Saves a keyed job. Two processes scheduling the same new key at once both try to insert; the unique
 * index fails the later one with E11000, and saving again then updates the job the other inserted, as
 * if the two had run one after the other.
 */
async function saveKeyed(job: Job): Promise<void> {
  try {
    await job.save();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    await job.save();
  }
}

/**
 * A JobScheduler over Agenda; works in any process, whether or not that process runs jobs. Cancels
 * and replacements by data values go to Agenda's collection (`jobs`) directly, one command each.
 */
export function createScheduler(agenda: Agenda, jobs: Collection): JobScheduler {
  const scheduler: JobScheduler = {
    async schedule(name, opts) {
      const job = agenda.create(name, { ...opts.data, ...(opts.key ? { key: opts.key } : {}) });
      if (opts.key) job.unique({ name, 'data.key': opts.key });
      job.schedule(opts.at ?? new Date());
      await (opts.key ? saveKeyed(job) : job.save());
    },
    async cancel(name, key) {
      await agenda.cancel({ name, data: { key } });
    },
    async cancelMatching(name, data) {
      await jobs.deleteMany({ name, ...Object.fromEntries(Object.entries(data).map(([k, v]) => [`data.${k}`, typeof v === 'string' ? v : { $in: [...v] }])) });
    },
    async replaceMatching(name, field, values, wanted) {
      const current = await jobs.find({ name, [`data.${field}`]: { $in: [...values] } }, { projection: { 'data.key': 1, nextRunAt: 1 } }).toArray();
      const dueAt = new Map(current.map((j) => [(j.data as { key?: string } | undefined)?.key, (j.nextRunAt as Date | null)?.getTime()]));
      const keys = new Set(wanted.map((w) => w.key));
      const stale = current.filter((j) => !keys.has((j.data as { key?: string } | undefined)?.key ?? ''));
      if (stale.length > 0) await jobs.deleteMany({ _id: { $in: stale.map((j) => j._id) } });
      for (const w of wanted) if (dueAt.get(w.key) !== w.at.getTime()) await scheduler.schedule(name, w);
    },
    async scheduleRecurring(name, opts) {
      const job = agenda.create(name, { key: opts.key });
      job.unique({ name, 'data.key': opts.key });
      job.repeatEvery(opts.cron, { timezone: opts.timeZone, skipImmediate: true });
      await saveKeyed(job);
    },
  };
  return scheduler;
}
