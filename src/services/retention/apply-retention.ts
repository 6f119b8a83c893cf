import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import { REARM_LOOKBACK_DAYS, RETENTION_BATCH_SIZE, retentionCutoff, retentionEventKey, retentionPolicyOf, type RetentionPolicy } from '../../domain/retention.js';
import type { AccessLogStore } from '../../store/access-log-store.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { RetentionStore } from '../../store/retention-writes.js';
import type { JobScheduler } from '../ports.js';

/** The retention job: daily (key {@link RETENTION_DAILY_KEY}), plus a one-off continuation when a run ran out of time. */
export const RETENTION_JOB = 'inbox-retention';
export const RETENTION_DAILY_KEY = 'daily';
export const RETENTION_CONTINUE_KEY = 'continue';
/** When the daily run starts (UTC): a quiet hour, before the working day anywhere in Europe. */
export const RETENTION_CRON = '30 2 * * *';
/** The daily run's schedule (keyed: one job however many workers start). */
export const RETENTION_DAILY = { key: RETENTION_DAILY_KEY, cron: RETENTION_CRON, timeZone: 'UTC' } as const;
/** How long one run goes on starting batches before it leaves the rest to a continuation (below the job lock's usual lifetime). */
const DEFAULT_BUDGET_MS = 10 * 60_000;

export interface ApplyRetentionDeps {
  retention: Pick<RetentionStore, 'touchedCollections' | 'listInboxesWithPolicy' | 'rearmReopened' | 'listDue' | 'isDue' | 'filesOf' | 'filesHeldElsewhere' | 'uploadFilesOf' | 'clearBatch' | 'anonymiseTicket' | 'deleteTicket' | 'mergedMembersOf' | 'anonymiseMember' | 'deleteMember'>;
  blobs: Pick<BlobStore, 'remove'>;
  accessLog: Pick<AccessLogStore, 'record'>;
  /** Gives the space of the deleted data back (store/reclaim-space.ts), after a run that touched anything. */
  reclaimSpace: (collections: string[]) => Promise<void>;
  scheduler: Pick<JobScheduler, 'schedule'>;
  now: () => Date;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Tickets per batch (RETENTION_BATCH_SIZE unless given). */
  batchSize?: number;
  /** Time after which no new batch starts and a continuation is scheduled (10 minutes unless given). */
  budgetMs?: number;
  /** Called after each batch with the inbox and how many tickets it touched (tests make a run crash here). */
  afterBatch?: (inboxId: Types.ObjectId, touched: number) => Promise<void> | void;
}

/** What one run did per inbox, and whether it got through every due ticket. */
export interface RetentionRun {
  inboxes: Array<{ inboxId: string; action: RetentionPolicy['action']; tickets: number }>;
  finished: boolean;
}

/** A file an earlier, interrupted run removed already is what was wanted; any other failure is not. */
function ignoreMissingFile(err: unknown): void {
  if (!(err instanceof Error && /file not found|not found for id/i.test(err.message))) throw err;
}

/**
 * Applies every inbox's retention policy: the tickets closed before the cut-off (computed once, at
 * the run's start) are anonymised or deleted in batches. Crash-safe and idempotent: each ticket's
 * files go first, then what holds its text, and its mark (anonymised) or its removal (deleted) comes
 * last, so a rerun finds an interrupted ticket still due and finishes it, while a finished one is no
 * longer due. Each anonymised ticket gets one `anonymised` trail entry;
 * each inbox gets a `retention_applied` access-log entry with the number of tickets (also when the
 * run fails midway: what was done is counted). Then the freed space is reclaimed.
 */
export async function applyRetention(deps: ApplyRetentionDeps): Promise<RetentionRun> {
  const at = deps.now();
  const batchSize = deps.batchSize ?? RETENTION_BATCH_SIZE;
  const stopAt = Date.now() + (deps.budgetMs ?? DEFAULT_BUDGET_MS);
  const run: RetentionRun = { inboxes: [], finished: true };
  try {
    for (const inbox of await deps.retention.listInboxesWithPolicy()) {
      const policy = retentionPolicyOf(inbox);
      if (policy.months === null) continue;
      const cutoff = retentionCutoff(at, policy.months);
      const done = { inboxId: inbox._id.toHexString(), action: policy.action, tickets: 0 };
      run.inboxes.push(done);
      if (policy.action === 'anonymise') await deps.retention.rearmReopened(inbox._id, new Date(at.getTime() - REARM_LOOKBACK_DAYS * 86_400_000));
      try {
        for (;;) {
          if (Date.now() >= stopAt) {
            run.finished = false;
            break;
          }
          const due = await deps.retention.listDue(inbox._id, policy.action, cutoff, batchSize);
          if (due.length === 0) break;
          const touched = await applyBatch(deps, inbox._id, policy, cutoff, at, due);
          done.tickets += touched;
          await deps.afterBatch?.(inbox._id, touched);
          // Nothing done although tickets were due: they changed under this run; the next run sees them again.
          if (touched === 0) break;
        }
      } finally {
        if (done.tickets > 0) {
          await deps.accessLog.record({
            at: deps.now(), userId: null, action: 'retention_applied', inboxId: inbox._id,
            detail: `${policy.action}: ${done.tickets} tickets closed before ${cutoff.toISOString()} (${policy.months} months)`,
          });
        }
      }
      if (!run.finished) break;
    }
  } finally {
    if (run.inboxes.some((i) => i.tickets > 0)) await deps.reclaimSpace(deps.retention.touchedCollections());
  }
  if (!run.finished) await deps.scheduler.schedule(RETENTION_JOB, { key: RETENTION_CONTINUE_KEY });
  deps.logger.info({ inboxes: run.inboxes, finished: run.finished }, 'retention run done');
  return run;
}

/**
 * One batch: the uploads and copies of its tickets (and of the tickets merged into them) first, then
 * each ticket's merged tickets and the ticket itself, files first. Returns how many tickets it
 * anonymised or deleted.
 */
async function applyBatch(deps: ApplyRetentionDeps, inboxId: Types.ObjectId, policy: RetentionPolicy, cutoff: Date, at: Date, due: Array<{ _id: Types.ObjectId; closedAt: Date }>): Promise<number> {
  const members = new Map<string, Types.ObjectId[]>();
  for (const t of due) members.set(t._id.toHexString(), await deps.retention.mergedMembersOf(t._id));
  const ids = [...due.map((t) => t._id), ...[...members.values()].flat()];
  const removeFile = (id: Types.ObjectId) => deps.blobs.remove(id).catch(ignoreMissingFile);
  for (const upload of await deps.retention.uploadFilesOf(ids)) {
    if ((await deps.retention.filesHeldElsewhere([upload.fileId], upload.ticketId)).length === 0) await removeFile(upload.fileId);
  }
  await deps.retention.clearBatch(ids, policy.action);
  const event = (ticketId: Types.ObjectId, closedAt: Date) => ({
    ticketId, type: 'anonymised' as const, actor: { kind: 'system' as const, id: null, label: null }, data: { months: policy.months }, at, key: retentionEventKey(ticketId.toHexString(), closedAt),
  });
  let touched = 0;
  for (const { _id: ticketId, closedAt } of due) {
    if (!(await deps.retention.isDue(ticketId, inboxId, policy.action, cutoff))) continue;
    for (const member of members.get(ticketId.toHexString()) ?? []) {
      for (const fileId of (await deps.retention.filesOf(member)).own) await removeFile(fileId);
      const ok = policy.action === 'delete' ? await deps.retention.deleteMember(member) : await deps.retention.anonymiseMember(member, at, event(member, closedAt));
      if (ok) touched++;
    }
    for (const fileId of (await deps.retention.filesOf(ticketId)).own) await removeFile(fileId);
    const ok =
      policy.action === 'delete'
        ? await deps.retention.deleteTicket(ticketId, inboxId, cutoff)
        : await deps.retention.anonymiseTicket(ticketId, inboxId, cutoff, at, event(ticketId, closedAt));
    if (ok) touched++;
  }
  return touched;
}
