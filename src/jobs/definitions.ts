import { Types } from 'mongoose';
import { isAppError } from '../domain/errors.js';
import { deliverOutboxItem, deliveryRetryDelayMs, type DeliverDeps } from '../services/outbound/deliver-outbox-item.js';
import { DELIVER_JOB } from '../services/outbound/queue-mail.js';
import { AUTO_REPLY_JOB, sendAutoReply, type AutoReplyDeps } from '../services/auto-reply/send-auto-reply.js';
import { SLA_TIMER_JOB, runSlaTimer, type SlaDeps } from '../services/sla/refresh-sla.js';
import { DIGEST_JOB, sendDigest, type DigestDeps } from '../services/digest/send-digest.js';
import { deliverNotifications, type DeliverNotificationsDeps } from '../services/notifications/deliver-notifications.js';
import { NOTIFY_JOB } from '../services/notifications/notify.js';
import { LIFECYCLE_JOB, SNOOZE_WAKE_JOB } from '../services/lifecycle/plan-lifecycle.js';
import { runLifecycleStep, type LifecycleDeps } from '../services/lifecycle/run-lifecycle.js';
import { wakeSnoozedTicket, type SnoozeDeps } from '../services/lifecycle/snooze-ticket.js';
import { applyRouting, ROUTING_JOB, type ApplyRoutingDeps } from '../services/routing/apply-routing.js';
import { SURVEY_JOB } from '../services/satisfaction/plan-survey.js';
import { sendSurvey, surveyJobOf, type SendSurveyDeps } from '../services/satisfaction/send-survey.js';
import { PERSONAL_DATA_EXPORT_JOB, runPersonalDataExport, type RunExportDeps } from '../services/personal-data/run-export.js';
import { PERSONAL_DATA_SWEEP_JOB, sweepPersonalDataExports, type SweepExportsDeps } from '../services/personal-data/sweep-exports.js';
import { ACCESS_LOG_PURGE_JOB, purgeAccessLog, type PurgeAccessLogDeps } from '../services/access-log/purge-access-log.js';
import { keepReportRows, REPORT_ROWS_JOB, REPORT_ROWS_LOCK_MS, type KeepReportRowsDeps } from '../services/reports/keep-report-rows.js';
import { applyRetention, RETENTION_JOB, type ApplyRetentionDeps } from '../services/retention/apply-retention.js';
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

/** Runs the routing rules for one received mail (idempotent per mail). */
export function routingJob(deps: ApplyRoutingDeps, lockLifetimeMs: number): JobDefinition {
  return { name: ROUTING_JOB, concurrency: 5, lockLifetimeMs, handler: async (data) => void (await applyRouting(deps, keyOf(data))) };
}

/** Acts on a ticket's due SLA reminder, breach or escalation, then schedules the next. */
export function slaTimerJob(deps: SlaDeps, lockLifetimeMs: number): JobDefinition {
  return { name: SLA_TIMER_JOB, concurrency: 5, lockLifetimeMs, handler: async (data) => void (await runSlaTimer(deps, new Types.ObjectId(String(data.ticketId)))) };
}

/** A manager's scheduled digest. */
export function digestJob(deps: DigestDeps, lockLifetimeMs: number): JobDefinition {
  return { name: DIGEST_JOB, concurrency: 2, lockLifetimeMs, handler: async (data) => void (await sendDigest(deps, keyOf(data))) };
}

/**
 * Mails a person's due notifications: one mail per kind and batch, then schedules the next. A run that
 * failed (a claimed batch not sent yet) is tried again a while later, up to 8 times, since nothing
 * else may run for that person soon.
 */
export function notifyJob(deps: DeliverNotificationsDeps, lockLifetimeMs: number): JobDefinition {
  return {
    name: NOTIFY_JOB,
    concurrency: 5,
    lockLifetimeMs,
    backoff: (ctx) => (ctx.attempt > 8 ? null : Math.min(30_000 * 2 ** (ctx.attempt - 1), 30 * 60_000)),
    handler: async (data) => void (await deliverNotifications(deps, new Types.ObjectId(String(data.userId)))),
  };
}

/** A ticket's due lifecycle step: closes a ticket solved long enough, reminds the assignee of one pending long enough. */
export function lifecycleJob(deps: LifecycleDeps, lockLifetimeMs: number): JobDefinition {
  return { name: LIFECYCLE_JOB, concurrency: 5, lockLifetimeMs, handler: async (data) => void (await runLifecycleStep(deps, new Types.ObjectId(String(data.ticketId)))) };
}

/** Brings a snoozed ticket back when its snooze time comes. */
export function snoozeWakeJob(deps: SnoozeDeps, lockLifetimeMs: number): JobDefinition {
  return { name: SNOOZE_WAKE_JOB, concurrency: 5, lockLifetimeMs, handler: async (data) => void (await wakeSnoozedTicket(deps, new Types.ObjectId(String(data.ticketId)))) };
}

/** Mails one solve's satisfaction survey (nothing when the ticket was reopened since). */
export function surveyJob(deps: SendSurveyDeps, lockLifetimeMs: number): JobDefinition {
  return { name: SURVEY_JOB, concurrency: 5, lockLifetimeMs, handler: async (data) => void (await sendSurvey(deps, surveyJobOf(data))) };
}

/** Tries of an export's archive before it is marked failed (a lost run is tried again after its lock expires as well). */
const EXPORT_ATTEMPTS = 3;

/** Writes one personal data export's archive (a rerun rebuilds it; see runPersonalDataExport); retried twice before it fails. */
export function personalDataExportJob(deps: RunExportDeps, lockLifetimeMs: number): JobDefinition {
  return {
    name: PERSONAL_DATA_EXPORT_JOB,
    concurrency: 2,
    lockLifetimeMs,
    backoff: (ctx) => (ctx.attempt >= EXPORT_ATTEMPTS ? null : 60_000 * ctx.attempt),
    handler: async (data, job) => void (await runPersonalDataExport(deps, keyOf(data), { lastAttempt: job.attempts + 1 >= EXPORT_ATTEMPTS })),
  };
}

/** The daily sweep of personal data exports: expiry, removal of archives no longer wanted, lost jobs. */
export function personalDataSweepJob(deps: SweepExportsDeps, lockLifetimeMs: number): JobDefinition {
  return { name: PERSONAL_DATA_SWEEP_JOB, concurrency: 1, lockLifetimeMs, handler: async () => void (await sweepPersonalDataExports(deps)) };
}

/** The daily purge of access-log entries older than ACCESS_LOG_RETENTION_DAYS (idempotent: a delete by time). */
export function accessLogPurgeJob(deps: PurgeAccessLogDeps, lockLifetimeMs: number): JobDefinition {
  return { name: ACCESS_LOG_PURGE_JOB, concurrency: 1, lockLifetimeMs, handler: async () => void (await purgeAccessLog(deps)) };
}

/** The daily retention run over every inbox with a policy (and its continuation when a run ran out of time); one at a time. */
export function retentionJob(deps: ApplyRetentionDeps, lockLifetimeMs: number): JobDefinition {
  return { name: RETENTION_JOB, concurrency: 1, lockLifetimeMs, handler: async () => void (await applyRetention(deps)) };
}

/**
 * The report rows' upkeep: a catch-up every minute, a remake every night; one at a time. Its lock
 * lasts at least {@link REPORT_ROWS_LOCK_MS}: the first build, or a remake, of a large desk runs for
 * minutes (another worker starting it meanwhile would only repeat the work).
 */
export function reportRowsJob(deps: KeepReportRowsDeps, lockLifetimeMs: number): JobDefinition {
  return { name: REPORT_ROWS_JOB, concurrency: 1, lockLifetimeMs: Math.max(lockLifetimeMs, REPORT_ROWS_LOCK_MS), handler: async (data) => keepReportRows(deps, data.key) };
}

/** Every background job Threadline runs, bound to its use case. */
export function jobDefinitions(deps: { deliver: DeliverDeps; autoReply: AutoReplyDeps; sla: SlaDeps; digest: DigestDeps; notify: DeliverNotificationsDeps; lifecycle: LifecycleDeps & SnoozeDeps; routing: ApplyRoutingDeps; survey?: SendSurveyDeps; personalData?: RunExportDeps & SweepExportsDeps; accessLog?: PurgeAccessLogDeps; retention?: ApplyRetentionDeps; reportRows?: KeepReportRowsDeps; lockLifetimeMs: number }): JobDefinition[] {
  const lock = deps.lockLifetimeMs;
  return [deliverJob(deps.deliver, lock), autoReplyJob(deps.autoReply, lock), slaTimerJob(deps.sla, lock), digestJob(deps.digest, lock), notifyJob(deps.notify, lock), lifecycleJob(deps.lifecycle, lock), snoozeWakeJob(deps.lifecycle, lock), routingJob(deps.routing, lock), ...(deps.survey ? [surveyJob(deps.survey, lock)] : []), ...(deps.personalData ? [personalDataExportJob(deps.personalData, lock), personalDataSweepJob(deps.personalData, lock)] : []), ...(deps.accessLog ? [accessLogPurgeJob(deps.accessLog, lock)] : []), ...(deps.retention ? [retentionJob(deps.retention, lock)] : []), ...(deps.reportRows ? [reportRowsJob(deps.reportRows, lock)] : [])];
}
