import type { Types } from 'mongoose';
import { surveyDueAt, surveySettingsOf } from '../../domain/satisfaction.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { JobScheduler } from '../ports.js';

/** The job that mails one solve's satisfaction survey (services/satisfaction/send-survey.ts). */
export const SURVEY_JOB = 'satisfaction-survey';

/** What planning a survey needs. */
export interface PlanSurveyDeps {
  tickets: Pick<TicketStore, 'findById'>;
  inboxes: Pick<InboxStore, 'findById'>;
  scheduler: JobScheduler;
}

/**
 * After a change of a ticket: when it is solved and its inbox asks for satisfaction, schedules the
 * survey of this solve (at once, or the inbox's hours later), one job per ticket and solve; a ticket
 * no longer solved loses its pending survey job (the job checks again when it runs, anyway).
 */
export async function planSurvey(deps: PlanSurveyDeps, ticketId: Types.ObjectId): Promise<void> {
  const ticket = await deps.tickets.findById(ticketId);
  if (!ticket) return;
  const id = ticketId.toHexString();
  if (ticket.status !== 'solved' || !ticket.solvedAt || ticket.mergedIntoId) {
    await deps.scheduler.cancelMatching(SURVEY_JOB, { ticketId: id });
    return;
  }
  const inbox = await deps.inboxes.findById(ticket.inboxId);
  const settings = inbox ? surveySettingsOf(inbox) : null;
  if (!settings?.enabled) return;
  const solvedAt = ticket.solvedAt.getTime();
  await deps.scheduler.schedule(SURVEY_JOB, { key: `${id}:${solvedAt}`, at: surveyDueAt(settings, ticket.solvedAt), data: { ticketId: id, solvedAt: String(solvedAt) } });
}
