import { Types } from 'mongoose';
import type { Logger } from 'pino';
import { mayAskAgain, SATISFACTION_RATINGS, surveyable, surveyLink, surveySettingsOf, surveyToken, SURVEY_LINK_TTL_MS } from '../../domain/satisfaction.js';
import { isAgentStarted } from '../../domain/ticket.js';
import type { ContactStore } from '../../store/contact-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { OutboxStore } from '../../store/outbox-store.js';
import type { SatisfactionStore } from '../../store/satisfaction-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { TrailStore } from '../../store/trail-store.js';
import { customerLocale } from '../ingest/customer-locale.js';
import { queueAutomatedMail, type QueueMailDeps } from '../outbound/queue-mail.js';
import { brandingOf, type RenderEmailFn } from '../outbound/render-types.js';

/** What mailing a survey needs. */
export interface SendSurveyDeps extends QueueMailDeps {
  tickets: Pick<TicketStore, 'findById'>;
  inboxes: Pick<InboxStore, 'findById'>;
  outbox: QueueMailDeps['outbox'] & Pick<OutboxStore, 'existsWithDedupeKey'>;
  messages: QueueMailDeps['messages'] & Pick<MessageStore, 'hasCustomerMailAfter'>;
  contacts: Pick<ContactStore, 'findBounceByEmail' | 'findLocaleByEmail'>;
  satisfaction: Pick<SatisfactionStore, 'lastAskedAt' | 'recordAsked' | 'findByTicket'>;
  trail: Pick<TrailStore, 'record'>;
  render: RenderEmailFn;
  /** Threadline's public URL: the links point there (no survey without one). */
  publicUrl: string | null;
  logger?: Logger;
}

/** Why a survey was not sent: recorded on the trail (a reopened ticket records nothing: it is simply not solved). */
export type SurveySkip = 'disabled' | 'not-surveyable' | 'asked-recently' | 'no-public-url';

/**
 * The survey job of one solve: mails the customer three signed links (good, okay, bad) in their
 * language, as automated mail through the outbox, once per ticket and solve (the outbox's dedupe key),
 * unless the ticket was reopened (or solved again) since, is spam or merged, was started by an agent
 * and never answered, the customer's address bounces, or this inbox asked them within its N days.
 */
export async function sendSurvey(deps: SendSurveyDeps, job: { ticketId: Types.ObjectId; solvedAt: number }): Promise<'queued' | 'reopened' | SurveySkip> {
  const ticket = await deps.tickets.findById(job.ticketId);
  if (!ticket) return 'reopened';
  const id = ticket._id.toHexString();
  const key = `satisfaction:${id}:${job.solvedAt}`;
  const now = deps.now();
  const email = ticket.requester.email.toLowerCase();
  // A run cut short after the outbox write finishes what it decided.
  const decided = await deps.outbox.existsWithDedupeKey(key);
  // Planned again after the survey went (a later change of the still solved ticket): nothing left to do.
  if (decided && (await deps.satisfaction.findByTicket(ticket._id))?.solvedAt.getTime() === job.solvedAt) return 'queued';
  // Reopened (or solved again) since: not this solve's survey. Closed since keeps the solve (auto-close before a long delay).
  const sameSolve = (ticket.status === 'solved' || ticket.status === 'closed') && ticket.solvedAt?.getTime() === job.solvedAt;
  if (!decided && !sameSolve) return 'reopened';
  const inbox = await deps.inboxes.findById(ticket.inboxId);
  if (!inbox) return 'reopened';
  const skip = async (reason: SurveySkip) => {
    await deps.trail.record({ ticketId: ticket._id, type: 'satisfaction_survey_skipped', actor: { kind: 'system', label: 'satisfaction' }, at: now, data: { reason }, key: `${key}:skipped` });
    return reason;
  };
  if (!decided) {
    const settings = surveySettingsOf(inbox);
    if (!settings.enabled) return 'disabled';
    if (!deps.publicUrl) return skip('no-public-url');
    const agentStarted = isAgentStarted(ticket);
    const [contact, customerWrote, lastAsked] = await Promise.all([
      deps.contacts.findBounceByEmail(email),
      agentStarted ? deps.messages.hasCustomerMailAfter([ticket._id], new Date(ticket.createdAt.getTime() - 1)) : true,
      deps.satisfaction.lastAskedAt(inbox._id, email),
    ]);
    if (!surveyable({ status: ticket.status, mergedIntoId: ticket.mergedIntoId, agentStarted, customerWrote, recipientBouncing: contact?.bounce?.bouncing ?? false })) return skip('not-surveyable');
    if (!mayAskAgain(lastAsked, settings.askEveryDays, now)) return skip('asked-recently');
  }
  const token = surveyToken(deps.sign, { ticketId: id, solvedAt: job.solvedAt, expiresAt: new Date(now.getTime() + SURVEY_LINK_TTL_MS) });
  const base = deps.publicUrl ?? '';
  const links = Object.fromEntries(SATISFACTION_RATINGS.map((r) => [r, surveyLink(base, token, r)]));
  const locale = customerLocale(null, await deps.contacts.findLocaleByEmail(email), inbox.defaultLocale);
  const rendered = await deps.render('satisfaction-survey', { ticketNumber: ticket.number, ticketSubject: ticket.subject, customerName: ticket.requester.name ?? null, links }, { branding: brandingOf(inbox), locale });
  // Not part of the conversation: the trail says it was sent (a reply still threads by its Message-ID).
  await queueAutomatedMail(deps, {
    kind: 'satisfaction-survey',
    inbox,
    ticket: { _id: ticket._id, number: ticket.number },
    dedupeKey: key,
    to: [{ address: email, name: ticket.requester.name ?? null }],
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
  });
  await deps.satisfaction.recordAsked({ ticketId: ticket._id, inboxId: inbox._id, teamId: ticket.teamId ?? null, assigneeId: ticket.assigneeId ?? null, email, askedAt: now, solvedAt: new Date(job.solvedAt) });
  await deps.trail.record({ ticketId: ticket._id, type: 'satisfaction_survey_sent', actor: { kind: 'system', label: 'satisfaction' }, at: now, data: { to: email, solvedAt: new Date(job.solvedAt) }, key: `${key}:sent` });
  deps.logger?.debug({ ticket: ticket.number }, 'satisfaction survey queued');
  return 'queued';
}

/** The job's data as scheduled by planSurvey: the ticket and the solve (ms). */
export function surveyJobOf(data: Record<string, unknown>): { ticketId: Types.ObjectId; solvedAt: number } {
  return { ticketId: new Types.ObjectId(String(data.ticketId)), solvedAt: Number(data.solvedAt) };
}
