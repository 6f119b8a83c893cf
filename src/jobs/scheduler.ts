import type { Agenda } from 'agenda';
import type { Collection } from 'mongodb';

/** How use cases schedule background work, without knowing about Agenda. */
export interface JobScheduler {
  /**
   * Schedules `name` at `at` (now by default). With `key`, at most one job of that name and key
   * exists: scheduling again moves it instead of adding a second one.
   */
  schedule(name: string, opts: { key?: string; at?: Date; data?: Record<string, unknown> }): Promise<void>;
  /** Removes the pending job of that name and key, if any. */
  cancel(name: string, key: string): Promise<void>;
  /** Removes every pending job of that name whose data has these values; a list matches any of its values. */
  cancelMatching(name: string, data: Record<string, string | readonly string[]>): Promise<void>;
  /**
   * Makes the pending jobs of `name` whose `data[field]` is one of `values` exactly `wanted`: jobs not
   * wanted are removed, and a wanted job is written only when it is missing or due at another time.
   */
  replaceMatching(name: string, field: string, values: readonly string[], wanted: ReadonlyArray<{ key: string; at: Date; data: Record<string, string> }>): Promise<void>;
  /** A job that repeats on a cron schedule in a time zone; one per name and key, replaced when called again. */
  scheduleRecurring(name: string, opts: { key: string; cron: string; timeZone: string }): Promise<void>;
}

/**
 * Indexes for how Threadline finds its jobs: by unique key (every keyed schedule is an upsert on it)
 * and by ticket (moving a ticket's SLA timer). Without them each of those scans every job.
 */
export async function ensureJobIndexes(jobs: Collection): Promise<void> {
  await jobs.createIndex({ name: 1, 'data.key': 1 }, { name: 'threadline_key' });
  await jobs.createIndex({ name: 1, 'data.ticketId': 1 }, { name: 'threadline_ticket' });
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
      await job.save();
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
      await job.save();
    },
  };
  return scheduler;
}
