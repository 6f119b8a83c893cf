import type { Types } from 'mongoose';
import type { TicketEventType } from '../../../src/domain/ticket-events.js';
import type { Models } from '../../../src/store/models/index.js';

/** The moment the reports tests read at (backlog ages), and their period: 1–14 May 2026 (UTC days). */
export const REPORT_NOW = new Date('2026-05-20T12:00:00Z');
export const REPORT_PERIOD = { from: '2026-05-01', to: '2026-05-14' };
/** A subject a spreadsheet would run as a formula, and one with the CSV's separators and quotes. */
export const FORMULA_SUBJECT = '=HYPERLINK("http://evil.test","click")';
export const QUOTED_SUBJECT = 'Printer; jammed, "again"';

/**
 * A small desk for the reports' page and API tests, figures computed by hand:
 * - `helpdesk` (the signed-in users' inbox): #1 solved by Gina (first response 1 h, resolution 1 day,
 *   8 business hours; SLA first response and resolution met; rated good with a comment), #2 open
 *   (first response 2 h; first response breached; one breach recorded), #4 new, unassigned.
 * - `other` (no manager's): #3 open, assigned to Gina, created 4 May.
 * In 1–14 May: helpdesk new 3 (2 May, 5 May, 12 May), solved 1 (3 May), replies by Gina 2.
 */
export async function seedReports(models: Models, inboxes: { helpdesk: Types.ObjectId; other: Types.ObjectId }, gina: Types.ObjectId) {
  const d = (iso: string) => new Date(iso);
  const base = { requester: { email: 'c@customer.test' } };
  const [t1, t2, t3, t4] = await models.Ticket.create([
    { ...base, number: 1, inboxId: inboxes.helpdesk, subject: FORMULA_SUBJECT, assigneeId: gina, status: 'solved', createdAt: d('2026-05-02T08:00:00Z'), satisfaction: { rating: 'good', at: d('2026-05-04T10:00:00Z') },
      metrics: { firstResponseAt: d('2026-05-02T09:00:00Z'), firstResponseSeconds: 3600, firstResponseBusinessSeconds: 3600, lastSolvedAt: d('2026-05-03T08:00:00Z'), resolutionSeconds: 86_400, resolutionBusinessSeconds: 28_800, reopenCount: 0, sla: { firstResponse: 'met', nextResponse: null, resolution: 'met' } } },
    { ...base, number: 2, inboxId: inboxes.helpdesk, subject: QUOTED_SUBJECT, assigneeId: gina, priority: 'high', tags: ['printer'], status: 'open', createdAt: d('2026-05-05T10:00:00Z'),
      metrics: { firstResponseAt: d('2026-05-05T12:00:00Z'), firstResponseSeconds: 7200, firstResponseBusinessSeconds: 7200, reopenCount: 0, sla: { firstResponse: 'breached' } } },
    { ...base, number: 3, inboxId: inboxes.other, subject: 'Elsewhere', assigneeId: gina, status: 'open', createdAt: d('2026-05-04T10:00:00Z') },
    { ...base, number: 4, inboxId: inboxes.helpdesk, subject: 'Waiting', status: 'new', createdAt: d('2026-05-12T10:00:00Z') },
  ]);
  const byGina = { kind: 'user' as const, id: gina };
  const ev = (ticketId: Types.ObjectId, type: TicketEventType, at: string, actor: { kind: 'user' | 'system'; id?: Types.ObjectId }, data: Record<string, unknown> = {}) => ({ ticketId, type, at: d(at), actor, data });
  await models.TicketEvent.create([
    ev(t1!._id, 'reply_queued', '2026-05-02T09:00:00Z', byGina),
    ev(t1!._id, 'status_changed', '2026-05-03T08:00:00Z', byGina, { from: 'open', to: 'solved' }),
    ev(t2!._id, 'reply_queued', '2026-05-05T12:00:00Z', byGina),
    ev(t2!._id, 'sla_breached', '2026-05-05T11:00:00Z', { kind: 'system' }, { clock: 'firstResponse' }),
  ]);
  await models.SatisfactionRating.create({
    ticketId: t1!._id, inboxId: inboxes.helpdesk, teamId: null, assigneeId: gina, email: 'c@customer.test', askedAt: d('2026-05-03T08:00:00Z'), solvedAt: d('2026-05-03T08:00:00Z'),
    rating: 'good', comment: '@admin: très bien, merci', ratedAt: d('2026-05-04T10:00:00Z'),
  });
  return { t1: t1!._id.toHexString(), t2: t2!._id.toHexString(), t3: t3!._id.toHexString(), t4: t4!._id.toHexString() };
}
