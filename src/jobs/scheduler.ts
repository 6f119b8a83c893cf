import type { Agenda } from 'agenda';

/** How use cases schedule background work, without knowing about Agenda. */
export interface JobScheduler {
  /**
   * Schedules `name` at `at` (now by default). With `key`, at most one job of that name and key
   * exists: scheduling again moves it instead of adding a second one.
   */
  schedule(name: string, opts: { key?: string; at?: Date; data?: Record<string, unknown> }): Promise<void>;
  /** Removes the pending job of that name and key, if any. */
  cancel(name: string, key: string): Promise<void>;
  /** Removes every pending job of that name whose data has these values. */
  cancelMatching(name: string, data: Record<string, string>): Promise<void>;
  /** A job that repeats on a cron schedule in a time zone; one per name and key, replaced when called again. */
  scheduleRecurring(name: string, opts: { key: string; cron: string; timeZone: string }): Promise<void>;
}

/** A JobScheduler over Agenda; works in any process, whether or not that process runs jobs. */
export function createScheduler(agenda: Agenda): JobScheduler {
  return {
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
      await agenda.cancel({ name, data });
    },
    async scheduleRecurring(name, opts) {
      const job = agenda.create(name, { key: opts.key });
      job.unique({ name, 'data.key': opts.key });
      job.repeatEvery(opts.cron, { timezone: opts.timeZone, skipImmediate: true });
      await job.save();
    },
  };
}
