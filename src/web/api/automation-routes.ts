import { Router } from 'express';
import type { Types } from 'mongoose';
import { getDigestSchedule, setDigestSchedule } from '../../services/digest-schedule.js';
import { getInboxSla, putInboxSla } from '../../services/inbox-sla.js';
import { sendDigest, type DigestDeps } from '../../services/send-digest.js';
import { AppError } from '../../domain/errors.js';
import { principalOf } from './authenticate.js';

/** What the SLA and digest routes need besides the models. */
export interface AutomationDeps extends DigestDeps {
  refreshSla: (ticketId: Types.ObjectId) => Promise<void>;
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
    const { actor } = principalOf(res);
    if (!actor.userId || actor.role === 'agent') throw new AppError('FORBIDDEN', 'Digests are for managers and admins');
    const { outbox, report } = await sendDigest(deps, actor.userId);
    res.status(202).json({ outboxId: outbox._id.toHexString(), messageId: outbox.messageId, subject: outbox.subject, to: outbox.envelope.to, empty: report.empty, counts: report.counts });
  });
  return router;
}
