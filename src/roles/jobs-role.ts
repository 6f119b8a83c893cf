import { crashHookFromEnv } from '../crash-hook.js';
import { jobDefinitions } from '../jobs/definitions.js';
import { createJobWorker, type JobWorker } from '../jobs/job-worker.js';
import { composeMessage } from '../mail/compose-message.js';
import { composeStoredMail } from '../mail/compose-stored-mail.js';
import { loadEmailRenderer, renderEmail } from '../mail/render-email.js';
import { createMailSender } from '../mail/smtp-transport.js';
import type { Runtime } from '../runtime.js';
import { planLifecycleBackfill } from '../services/lifecycle/plan-lifecycle.js';
import { resumeErasures } from '../services/personal-data/erase-person.js';
import { ACCESS_LOG_PURGE_DAILY, ACCESS_LOG_PURGE_JOB } from '../services/access-log/purge-access-log.js';
import { PERSONAL_DATA_SWEEP_DAILY, PERSONAL_DATA_SWEEP_JOB } from '../services/personal-data/sweep-exports.js';
import { REPORT_ROWS_EVERY_MINUTE, REPORT_ROWS_JOB, REPORT_ROWS_NIGHTLY } from '../services/reports/keep-report-rows.js';
import { RETENTION_DAILY, RETENTION_JOB } from '../services/retention/apply-retention.js';
import { reclaimSpace } from '../store/reclaim-space.js';
import { routingDeps, slaDeps } from './deps.js';
import { mailLoginSourceFor } from './oauth-deps.js';
import { beat, type RunningRole } from './role.js';

/** The job worker: outbox delivery, auto-replies, SLA timers, digests, notification mail, lifecycle (auto-close, pending reminders, snooze), routing rules. */
export async function startJobs(rt: Runtime): Promise<RunningRole> {
  loadEmailRenderer();
  const sender = createMailSender({ connectionTimeoutMs: rt.config.outbox.connectTimeoutMs });
  const now = () => new Date();
  const worker: JobWorker = createJobWorker({
    agenda: rt.agenda,
    logger: rt.logger,
    definitions: jobDefinitions({
      lockLifetimeMs: rt.config.jobs.lockLifetimeMs,
      deliver: {
        ...rt.stores,
        sender,
        secrets: rt.secrets,
        now,
        logger: rt.logger,
        settings: { maxAttempts: rt.config.outbox.maxAttempts, backoff: { baseMs: rt.config.outbox.backoffBaseMs, maxMs: rt.config.outbox.backoffMaxMs } },
        outboxBlobs: rt.blobs,
        // OAuth2 inboxes send with access tokens from here; password inboxes as before.
        logins: mailLoginSourceFor(rt),
        onStep: crashHookFromEnv(),
      },
      autoReply: {
        ...rt.stores,
        scheduler: rt.scheduler,
        compose: composeMessage,
        sign: rt.sign,
        now,
        blobs: rt.blobs,
        parse: (raw) => rt.mailWork.parse(raw, { maxBytes: rt.config.mail.maxMessageBytes }),
        render: renderEmail,
        logger: rt.logger,
        settings: rt.config.autoReply,
        // Suggested help center articles link to the public address (none without one).
        publicUrl: rt.config.publicUrl,
      },
      sla: slaDeps(rt),
      digest: slaDeps(rt),
      notify: { ...slaDeps(rt), notifyFrom: rt.config.notify.from, onStep: crashHookFromEnv() },
      lifecycle: slaDeps(rt),
      routing: routingDeps(rt),
      // Satisfaction surveys link to the public address (none without one).
      survey: { ...slaDeps(rt), publicUrl: rt.config.publicUrl },
      // Personal data exports: the archive job and the daily sweep of expired archives.
      personalData: { ...rt.stores, blobs: rt.blobs, composeStoredMail, scheduler: rt.scheduler, now, logger: rt.logger },
      // The access log keeps entries ACCESS_LOG_RETENTION_DAYS days (0: forever), purged daily.
      accessLog: { accessLog: rt.stores.accessLog, now, retentionDays: rt.config.accessLog.retentionDays },
      // Retention per inbox: a run hands what is left to a continuation well before its job lock expires.
      retention: {
        retention: rt.stores.retention, accessLog: rt.stores.accessLog, blobs: rt.blobs, scheduler: rt.scheduler, now, logger: rt.logger,
        reclaimSpace: (collections) => reclaimSpace(rt.connection.db!, collections, rt.logger),
        budgetMs: Math.floor(rt.config.jobs.lockLifetimeMs / 2),
      },
      // The reports' rows kept up in the background (built here after an upgrade).
      reportRows: { reportRows: rt.stores.reportRows, logger: rt.logger },
    }),
  });
  await worker.start();
  // The daily jobs, each keyed so that every worker's start leaves one of each.
  await rt.scheduler.scheduleRecurring(PERSONAL_DATA_SWEEP_JOB, PERSONAL_DATA_SWEEP_DAILY);
  await rt.scheduler.scheduleRecurring(ACCESS_LOG_PURGE_JOB, ACCESS_LOG_PURGE_DAILY);
  await rt.scheduler.scheduleRecurring(RETENTION_JOB, RETENTION_DAILY);
  await rt.scheduler.scheduleRecurring(REPORT_ROWS_JOB, REPORT_ROWS_EVERY_MINUTE);
  await rt.scheduler.scheduleRecurring(REPORT_ROWS_JOB, REPORT_ROWS_NIGHTLY);
  // Tickets solved or pending before lifecycle automation get their jobs once (an empty list after that), in the background.
  planLifecycleBackfill(slaDeps(rt)).then(
    (planned) => planned > 0 && rt.logger.info({ planned }, 'planned the lifecycle jobs of tickets stored before lifecycle automation'),
    (err: Error) => rt.logger.error({ err: err.message }, 'planning lifecycle jobs of older tickets failed; the next start tries again'),
  );
  // An erasure cut short (the web process died mid-way) is finished here, in the background.
  resumeErasures({ ...rt.stores, now }).then(
    (finished) => finished > 0 && rt.logger.info({ finished }, 'finished erasures cut short'),
    (err: Error) => rt.logger.error({ err: err.message }, 'finishing erasures cut short failed; the next start, or confirming again, tries again'),
  );
  const heartbeat = beat(rt, 'jobs', worker.status);
  return {
    role: 'jobs',
    async stop() {
      await worker.stop(rt.config.shutdownTimeoutMs);
      sender.close();
      await heartbeat.stop();
    },
  };
}

