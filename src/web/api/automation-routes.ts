import { Router } from 'express';
import type { Types } from 'mongoose';
import { getDigestSchedule, setDigestSchedule } from '../../services/digest/digest-schedule.js';
import { getInboxSla, putInboxSla } from '../../services/sla/inbox-sla.js';
import type { DigestReport } from '../../services/digest/build-digest.js';
import type { DigestDeps } from '../../services/digest/send-digest.js';
import { sendDigestNow } from '../../services/digest/send-digest-now.js';
import type { SendReplyDeps } from '../../services/tickets/send-reply.js';
import type { UploadFileDeps } from '../../services/attachments/upload-file.js';
import type { UpdateTicketDeps } from '../../services/tickets/update-ticket.js';
import type { AddNoteDeps } from '../../services/tickets/add-note.js';
import type { MergeTicketDeps } from '../../services/tickets/merge-ticket.js';
import type { EscalateTicketDeps } from '../../services/tickets/escalate-ticket.js';
import type { AgentActionFollowUp } from '../../services/lifecycle/plan-lifecycle.js';
import type { AssignmentFollowUps } from '../../services/teams/assignment-refill.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { TrailStore } from '../../store/trail-store.js';
import type { UserStore } from '../../store/user-store.js';
import { principalOf } from './authenticate.js';

/** What the SLA and digest routes need besides the models. */
export interface AutomationDeps extends DigestDeps, Pick<SendReplyDeps, 'sanitizeHtml'>, Partial<AssignmentFollowUps>, Pick<UploadFileDeps, 'scanUpload' | 'attachmentLimits'> {
  messages: SendReplyDeps['messages'];
  contacts: SendReplyDeps['contacts'];
  users: DigestDeps['users'] & SendReplyDeps['users'] & UpdateTicketDeps['users'] & AddNoteDeps['users'] & Pick<UserStore, 'listAccessByIds'>;
  /** Every ticket use case the API runs (actions, merges, SLA re-plans, digests) reads and writes through these. */
  tickets: TicketStore;
  trail: TrailStore;
  inboxes: InboxStore;
  categories: UpdateTicketDeps['categories'];
  teams: UpdateTicketDeps['teams'] & MergeTicketDeps['teams'] & AddNoteDeps['teams'] & EscalateTicketDeps['teams'];
  /** Who is told about assignments and mentions (see src/services/notifications/notify.ts). */
  notifications: UpdateTicketDeps['notifications'];
  refreshSla: (ticketId: Types.ObjectId) => Promise<void>;
  /** The lifecycle follow-up of an agent's change (auto-close and reminder jobs, the snooze mark); none when absent. */
  afterAgentAction?: AgentActionFollowUp;
}

/** `/inboxes/:id/sla` and `/digests/…`: SLA policies, digest schedules, and a digest sent right now. */
export function automationRoutes(deps: AutomationDeps): Router {
  const router = Router();
  router.get('/inboxes/:id/sla', async (req, res) => {
    res.json(await getInboxSla(deps, principalOf(res).actor, req.params.id));
  });
  router.put('/inboxes/:id/sla', async (req, res) => {
    res.json(await putInboxSla(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.get('/digests/schedule', async (_req, res) => {
    res.json(await getDigestSchedule(deps, principalOf(res).actor));
  });
  router.put('/digests/schedule', async (req, res) => {
    res.json(await setDigestSchedule(deps, principalOf(res).actor, req.body));
  });
  router.post('/digests/send-now', async (_req, res) => {
    const { outbox, report } = await sendDigestNow(deps, principalOf(res).actor);
    res.status(202).json({ outboxId: outbox._id.toHexString(), messageId: outbox.messageId, subject: outbox.subject, to: outbox.envelope.to, empty: report.empty, counts: report.counts, satisfaction: satisfactionCounts(report.satisfaction) });
  });
  return router;
}

/** The digest's satisfaction figures as send-now answers them (its comments stay in the mail). */
function satisfactionCounts(s: DigestReport['satisfaction']): { good: number; okay: number; bad: number; total: number; score: number | null } {
  return { good: s?.good ?? 0, okay: s?.okay ?? 0, bad: s?.bad ?? 0, total: s?.total ?? 0, score: s?.score ?? null };
}
