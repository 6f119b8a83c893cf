import { Types } from 'mongoose';
import { isAppError } from '../domain/errors.js';
import { deliverOutboxItem, deliveryRetryDelayMs, type DeliverDeps } from '../services/outbound/deliver-outbox-item.js';
import { DELIVER_JOB } from '../services/outbound/queue-mail.js';
import { AUTO_REPLY_JOB, sendAutoReply, type AutoReplyDeps } from '../services/auto-reply/send-auto-reply.js';
import { SLA_TIMER_JOB, runSlaTimer, type SlaDeps } from '../services/sla/refresh-sla.js';
import { DIGEST_JOB, sendDigest, type DigestDeps } from '../services/digest/send-digest.js';
import type { JobDefinition } from './job-worker.js';

const keyOf = (data: Record<string, unknown>) => new Types.ObjectId(String(data.key));

/**
 * Delivers one outbox item; a deferred delivery is retried by Agenda at the time the run named (our
 * backoff, or the end of another run's claim), never given up: the outbox decides when a mail fails.
 * The claim lasts as long as the job lock, so a dead worker's mail is free again when its job re-runs.
 */
export function deliverJob(deps: DeliverDeps, lockLifetimeMs: number): JobDefinition {
  return {
    name: DELIVER_JOB,
    concurrency: 10,
    lockLifetimeMs,
    backoff: (ctx) => {
      if (!isAppError(ctx.error, 'DELIVERY_DEFERRED')) return null;
      const at = ctx.error.details?.nextAttemptAt;
      return at instanceof Date ? Math.max(at.getTime() - deps.now().getTime(), 0) : deliveryRetryDelayMs(ctx.attempt, deps.settings.backoff);
    },
    handler: async (data) => void (await deliverOutboxItem(deps, keyOf(data), lockLifetimeMs)),
  };
}

/** Decides on, and queues, the acknowledgement of a new ticket's first mail. */
export function autoReplyJob(deps: AutoReplyDeps, lockLifetimeMs: number): JobDefinition {
  return { name: AUTO_REPLY_JOB, concurrency: 5, lockLifetimeMs, handler: async (data) => void (await sendAutoReply(deps, keyOf(data))) };
}

/** Acts on a ticket's due SLA reminder, breach or escalation, then schedules the next. */
export function slaTimerJob(deps: SlaDeps, lockLifetimeMs: number): JobDefinition {
  return { name: SLA_TIMER_JOB, concurrency: 5, lockLifetimeMs, handler: async (data) => void (await runSlaTimer(deps, new Types.ObjectId(String(data.ticketId)))) };
}

/** A manager's scheduled digest. */
export function digestJob(deps: DigestDeps, lockLifetimeMs: number): JobDefinition {
  return { name: DIGEST_JOB, concurrency: 2, lockLifetimeMs, handler: async (data) => void (await sendDigest(deps, keyOf(data))) };
}

/** Every background job Threadline runs, bound to its use case. */
export function jobDefinitions(deps: { deliver: DeliverDeps; autoReply: AutoReplyDeps; sla: SlaDeps; digest: DigestDeps; lockLifetimeMs: number }): JobDefinition[] {
  const lock = deps.lockLifetimeMs;
  return [deliverJob(deps.deliver, lock), autoReplyJob(deps.autoReply, lock), slaTimerJob(deps.sla, lock), digestJob(deps.digest, lock)];
}
