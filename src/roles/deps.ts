import type { Types } from 'mongoose';
import { contentHashOf } from '../domain/dedupe.js';
import { crashHookFromEnv } from '../crash-hook.js';
import { composeMessage } from '../mail/compose-message.js';
import { renderEmail } from '../mail/render-email.js';
import { htmlToPlainText } from '../mail/html-text.js';
import { quoteAttribution } from '../mail/quote-attribution.js';
import { SANITIZER_RULES } from '../mail/sanitize-html.js';
import { createScanCommand } from '../mail/scan-command.js';
import { attachmentLimits, type UploadFileDeps } from '../services/attachments/upload-file.js';
import { followUpIngest } from '../services/ingest/ingest-follow-up.js';
import type { IngestDeps } from '../services/ingest/ingest-ports.js';
import { quarantineMail } from '../services/ingest/quarantine-mail.js';
import type { QuarantineScreenDeps } from '../services/quarantine/quarantine-deps.js';
import { afterAgentAction, type AgentActionFollowUp } from '../services/lifecycle/plan-lifecycle.js';
import { refreshSla, type SlaDeps } from '../services/sla/refresh-sla.js';
import { planSurvey } from '../services/satisfaction/plan-survey.js';
import { assignmentFollowUps, refillAfterTicketChange, type AssignmentFollowUps } from '../services/teams/assignment-refill.js';
import type { ApplyRoutingDeps } from '../services/routing/apply-routing.js';
import { autoAssignTicket } from '../services/teams/auto-assign-ticket.js';
import type { SendReplyDeps } from '../services/tickets/send-reply.js';
import type { PasswordLinkMailDeps } from '../services/users/mail-password-link.js';
import type { LocaleDefaults } from '../services/outbound/render-types.js';
import type { Runtime } from '../runtime.js';
import { IngestWriteBuffer } from '../store/ingest-writes.js';
import type { Stores } from '../store/stores.js';
import type { BlobStore } from '../store/blob-store.js';

/** DEFAULT_LOCALE and DEFAULT_TIME_ZONE: the language and zone of pages and mail for people who chose neither. */
export function localeDefaults(rt: Runtime): LocaleDefaults {
  return { locale: rt.config.i18n.defaultLocale, timeZone: rt.config.i18n.defaultTimeZone };
}

/** Dependencies of the SLA use cases, for every process that changes tickets; with every store, for the use cases built on them. */
export function slaDeps(rt: Runtime): SlaDeps & Stores & { localeDefaults: LocaleDefaults; notificationCollectMs: number; publicUrl: string | null } {
  return {
    ...rt.stores,
    scheduler: rt.scheduler,
    compose: composeMessage,
    sign: rt.sign,
    now: () => new Date(),
    logger: rt.logger,
    render: renderEmail,
    ticketUrlBase: rt.config.publicUrl ? `${rt.config.publicUrl.replace(/\/$/, '')}/tickets/` : null,
    publicUrl: rt.config.publicUrl ?? null,
    localeDefaults: localeDefaults(rt),
    notificationCollectMs: rt.config.notify.collectMs,
    // A large composed mail (attachments) keeps its bytes in GridFS, not in its outbox document.
    outboxBlobs: rt.blobs,
  };
}

/** What mailing invite and password-reset links needs (the web role's user pages and API). */
export function passwordLinkMailDeps(rt: Runtime): PasswordLinkMailDeps {
  return { ...slaDeps(rt), notifyFrom: rt.config.notify.from, publicUrl: rt.config.publicUrl };
}

/** What the ticket actions (replies, notes, changes) need, in the API and the pages alike. */
export function ticketActionDeps(
  rt: Runtime,
): ReturnType<typeof slaDeps> & Required<Pick<SendReplyDeps, 'sanitizeHtml' | 'htmlToText' | 'quoteAttribution'>> & Required<Pick<UploadFileDeps, 'attachmentLimits' | 'scanUpload'>> & { blobs: BlobStore } & AssignmentFollowUps & { refreshSla: (ticketId: Types.ObjectId) => Promise<void>; afterAgentAction: AgentActionFollowUp } {
  const sla = slaDeps(rt);
  const refresh = (ticketId: Types.ObjectId) => refreshSla(sla, ticketId);
  const assignment = { ...sla, refreshSla: refresh };
  return {
    ...sla,
    refreshSla: refresh,
    // After an agent's change, a place may have freed in the ticket's team: its waiting tickets are assigned.
    afterAgentAction: async (ticketId) => {
      await afterAgentAction(sla, ticketId);
      await refillAfterTicketChange(assignment, ticketId, { now: new Date() });
      // A solve in an inbox that asks for satisfaction schedules its survey mail.
      await planSurvey(sla, ticketId);
    },
    ...assignmentFollowUps(assignment, () => new Date()),
    // An agent's HTML reply is cleaned like customer mail, off the main thread.
    sanitizeHtml: (html) => rt.mailWork.sanitize(html),
    // …and its text/plain alternative is made from the cleaned HTML when the agent sent no text.
    htmlToText: htmlToPlainText,
    // A reply quotes the customer's previous mail, introduced in their language.
    quoteAttribution,
    // Agents' uploads (services/attachments): GridFS, the configured limits and the scan hook.
    blobs: rt.blobs,
    attachmentLimits: attachmentLimits(rt.config.attachments),
    scanUpload: rt.config.attachments.scanCommand ? createScanCommand(rt.config.attachments.scanCommand, { timeoutMs: rt.config.attachments.scanTimeoutSeconds * 1000 }) : null,
  };
}

/** Keeps an unparseable or repeatedly failing mail aside, for the pollers. */
export function quarantineFor(rt: Runtime) {
  return async (q: { inboxId: Types.ObjectId; raw: Buffer; reason: string; detail: string; source: { folder: string; uidValidity: string; uid: number } | null }) =>
    void (await quarantineMail({ ...rt.stores, blobs: rt.blobs, now: () => new Date() }, { ...q, contentHash: contentHashOf(q.raw) }));
}

/** The ingest pipeline's dependencies, shared by the pollers and the import tools. */
export function ingestDeps(rt: Runtime): IngestDeps {
  const sla = slaDeps(rt);
  let own: { at: number; set: Set<string> } | null = null;
  return {
    ...rt.stores,
    startWrites: (onStored) => new IngestWriteBuffer(rt.models, onStored),
    blobs: rt.blobs,
    parse: (raw) => rt.mailWork.parse(raw, { maxBytes: rt.config.mail.maxMessageBytes }),
    sanitizeHtml: (html) => rt.mailWork.sanitize(html),
    sanitizerRules: SANITIZER_RULES,
    sign: rt.sign,
    now: () => new Date(),
    logger: rt.logger,
    async ownAddresses() {
      if (!own || Date.now() - own.at > 30_000) {
        own = { at: Date.now(), set: new Set((await rt.stores.inboxes.listAddresses()).map((i) => i.address)) };
      }
      return own.set;
    },
    settings: {
      reopenClosedWithinSeconds: rt.config.mail.reopenClosedWithinSeconds,
      subjectMatchWithinSeconds: rt.config.mail.subjectMatchWithinSeconds,
      maxParticipantsPerMail: rt.config.mail.maxParticipantsPerMail,
    },
    onStep: crashHookFromEnv(),
    // The mail of people mentioned in an agent's answer to a notification.
    scheduler: rt.scheduler,
    notificationCollectMs: rt.config.notify.collectMs,
    followUp: (tickets) => followUpIngest(sla, tickets),
  };
}

/** What the routing rules' job needs (services/routing/apply-routing.ts): the stores, the raw mail's header block for header conditions, SLA re-planning, auto-assignment. */
export function routingDeps(rt: Runtime): ApplyRoutingDeps {
  const sla = slaDeps(rt);
  return {
    ...rt.stores,
    blobs: rt.blobs,
    refreshSla: (ticketId) => refreshSla(sla, ticketId),
    // The rules' "auto-assign" action: the team's own auto-assignment (round-robin or least open, caps, away).
    autoAssign: (ticketId, teamId) => autoAssignTicket({ ...sla, refreshSla: (id) => refreshSla(sla, id) }, ticketId, teamId, { now: new Date(), by: 'routing' }),
    notify: sla,
    logger: rt.logger,
    now: () => new Date(),
  };
}

/** The quarantine screen's "ingest anyway": the pollers' pipeline, plus a parse without the size limit. */
export function quarantineDeps(rt: Runtime): QuarantineScreenDeps {
  return {
    quarantine: rt.stores.quarantine,
    blobs: rt.blobs,
    ingest: ingestDeps(rt),
    parseAnySize: (raw) => rt.mailWork.parse(raw, { maxBytes: Math.max(raw.length, rt.config.mail.maxMessageBytes) }),
  };
}
