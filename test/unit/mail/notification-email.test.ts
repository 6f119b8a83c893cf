import { describe, expect, it } from 'vitest';
import { NOTIFICATION_KINDS } from '../../../src/domain/notifications.js';
import { EMAIL_SAMPLES } from '../../../src/mail/email-samples.js';
import { renderEmail, type NotificationData, type NotificationSummaryData } from '../../../src/mail/render-email.js';

const sample = <T>(id: string) => structuredClone(EMAIL_SAMPLES.find((s) => s.id === id)!.data) as T;
const single = (kind: string, event: Record<string, unknown> = {}): NotificationData => ({
  kind,
  ticketNumber: 42,
  ticketSubject: 'Printer on fire',
  events: [{ kind, at: '2026-03-03T13:00:00Z', by: 'Ada', teamName: 'Network', days: 4, clock: 'resolution', dueAt: '2026-03-03T14:00:00Z', minutesLeft: 45, level: 2, ...event }],
  ticketUrl: 'https://desk.test/tickets/65f1c0de0000000000000042',
  replyable: true,
});

describe('notification mail about one ticket', () => {
  it.each([
    ['assigned', 'Ticket #42 was assigned to you: Printer on fire', 'Assigned to you by Ada'],
    ['customer_replied', 'The customer replied on ticket #42: Printer on fire', 'The customer replied'],
    ['mentioned', 'Ada mentioned you on ticket #42: Printer on fire', 'Ada mentioned you in an internal note'],
    ['team_new_ticket', 'New ticket #42 for Network: Printer on fire', 'New ticket for Network'],
    ['sla_reminder', 'Ticket #42 will breach resolution in 45 min: Printer on fire', 'resolution due in 45 min'],
    ['sla_breached', 'Ticket #42 missed its resolution target: Printer on fire', 'resolution target missed'],
    ['escalated', 'Ticket #42 was escalated to you: Printer on fire', 'resolution target missed, escalated to level 2'],
    ['pending_reminder', 'Ticket #42 has waited on the customer for 4 days: Printer on fire', 'Waiting on the customer for 4 days'],
  ])('%s: says what happened, with the ticket number, in subject and body', async (kind, subject, what) => {
    const email = await renderEmail('notification', single(kind));
    expect(email.subject).toBe(subject);
    expect(email.text).toContain(what);
    expect(email.html).toContain(what);
    expect(email.text).toContain('Open the ticket: https://desk.test/tickets/65f1c0de0000000000000042');
    expect(email.text).toContain('Reply to this email to add an internal note');
    // Never the customer's ticket token: a reply to it must not look like customer mail.
    expect(email.subject).not.toMatch(/\[#\d+\]/);
  });

  it('covers every kind in English and French, with nothing left raw', async () => {
    for (const kind of NOTIFICATION_KINDS) {
      for (const locale of ['en', 'fr']) {
        const email = await renderEmail('notification', single(kind), { locale });
        for (const part of [email.subject, email.text, email.html]) expect(part).not.toMatch(/\{kind|\{by\}|\{number\}|mail:/);
      }
    }
    const fr = await renderEmail('notification', single('assigned'), { locale: 'fr' });
    expect(fr.subject).toBe('La demande n°\u00a042 vous a été attribuée\u00a0: Printer on fire');
  });

  it('names someone when it does not know who did it, and drops a link that is not http(s)', async () => {
    const email = await renderEmail('notification', { ...single('mentioned', { by: null }), ticketUrl: 'javascript:alert(1)', replyable: false });
    expect(email.subject).toBe('Someone mentioned you on ticket #42: Printer on fire');
    expect(email.html).not.toMatch(/javascript:|Open ticket/);
    expect(email.text).not.toContain('Reply to this email');
  });
});

describe('notification summary', () => {
  it('is a table of the tickets, each linked by id, with the due column for SLA kinds only', async () => {
    const reminders = await renderEmail('notification-summary', sample<NotificationSummaryData>('notification-summary'));
    expect(reminders.subject).toBe('3 tickets will soon breach an SLA target');
    expect(reminders.html).toContain('<a href="https://desk.acme.example/tickets/65f1c0de0000000000000118">#118</a>');
    expect(reminders.html).toContain('Due (Europe/Berlin)');
    expect(reminders.html).toContain('Mar 3, 2026, 2:30 PM');
    expect(reminders.text).toContain('first response due in 30 min · Due: Mar 3, 2026, 2:30 PM (Europe/Berlin)');
    const assigned = await renderEmail('notification-summary', sample<NotificationSummaryData>('notification-summary-assigned'));
    expect(assigned.subject).toBe('2 tickets were assigned to you');
    expect(assigned.html).not.toContain('Due (');
    // A row without a link shows its number alone.
    expect(assigned.html).toContain('>#123</td>');
  });

  it('counts in the reader’s language', async () => {
    const one = { ...sample<NotificationSummaryData>('notification-summary'), kind: 'sla_breached' };
    const fr = await renderEmail('notification-summary', one, { locale: 'fr', timeZone: 'Europe/Paris' });
    expect(fr.subject).toBe('3 demandes ont dépassé un délai de SLA');
    expect(fr.text).toContain('Échéance\u00a0: 3 mars 2026, 14:30 (fuseau Europe/Paris)');
  });

  it('uses the sample of a single-ticket mail as the SLA-less notification', async () => {
    const email = await renderEmail('notification', sample<NotificationData>('notification'));
    expect(email.text).toContain('> @lee can you check the refund with the bank before Friday?');
  });
});
