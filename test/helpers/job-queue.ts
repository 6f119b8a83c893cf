import type { JobScheduler } from '../../src/services/ports.js';

/** A pending job as the memory queue keeps it. */
export interface QueuedJob {
  name: string;
  key: string | null;
  at: Date;
  data: Record<string, unknown>;
}

/**
 * A JobScheduler in memory with the semantics the app relies on from Agenda: one job per name and
 * key (scheduling again moves it), and a one-off job removed when its run ends, even if the run
 * scheduled its own key again meanwhile. `runDue(now, handlers)` plays the job worker on an injected
 * clock, so tests drive time without touching any wall clock.
 */
export function memoryJobQueue() {
  const jobs = new Map<string, QueuedJob>();
  let anonymous = 0;
  const id = (name: string, key: string | null) => `${name}\u0000${key ?? `#${anonymous++}`}`;
  const matches = (job: QueuedJob, data: Record<string, string | readonly string[]>) =>
    Object.entries(data).every(([k, v]) => (typeof v === 'string' ? job.data[k] === v : v.includes(String(job.data[k]))));

  const scheduler: JobScheduler = {
    async schedule(name, opts) {
      const key = opts.key ?? null;
      jobs.set(id(name, key), { name, key, at: opts.at ?? new Date(0), data: { ...opts.data, ...(key ? { key } : {}) } });
    },
    async cancel(name, key) {
      jobs.delete(id(name, key));
    },
    async cancelMatching(name, data) {
      for (const [k, job] of jobs) if (job.name === name && matches(job, data)) jobs.delete(k);
    },
    async replaceMatching(name, field, values, wanted) {
      for (const [k, job] of jobs) if (job.name === name && values.includes(String(job.data[field])) && !wanted.some((w) => w.key === job.key)) jobs.delete(k);
      for (const w of wanted) await scheduler.schedule(name, w);
    },
    async scheduleRecurring() {},
  };

  return {
    scheduler,
    /** The pending jobs of a name (all without one), soonest first. */
    pending(name?: string): QueuedJob[] {
      return [...jobs.values()].filter((j) => !name || j.name === name).sort((a, b) => a.at.getTime() - b.at.getTime());
    },
    /**
     * Runs every job due at `now` (and what those runs make due), one at a time, soonest first, until
     * none is left; a job whose name has no handler is left pending. Returns how many ran per name.
     */
    async runDue(now: Date, handlers: Record<string, (data: Record<string, unknown>) => Promise<unknown>>): Promise<Record<string, number>> {
      const ran: Record<string, number> = {};
      for (let guard = 0; guard < 100_000; guard++) {
        const next = [...jobs.entries()].filter(([, j]) => j.at <= now && handlers[j.name]).sort(([, a], [, b]) => a.at.getTime() - b.at.getTime())[0];
        if (!next) return ran;
        const [k, job] = next;
        await handlers[job.name]!(job.data);
        // Agenda removes the finished one-off job by its id: a reschedule of the same key during the run is lost with it.
        if (jobs.get(k)) jobs.delete(k);
        ran[job.name] = (ran[job.name] ?? 0) + 1;
      }
      throw new Error('jobs keep making jobs due');
    },
  };
}
