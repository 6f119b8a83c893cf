import type { DigestData } from './digest-data.js';
import type { NotificationData, NotificationSummaryData } from './notification-data.js';
import type { AgentReplyData, AutoReplyData, EmailTemplateName, EscalationData, PasswordLinkData, RenderEmailOptions, SlaReminderData } from './render-email.js';

/** One email to render for previews and tests, in every language. */
export interface EmailSample {
  /** File name stem of the preview, e.g. `digest-empty`. */
  id: string;
  template: EmailTemplateName;
  data: Record<string, unknown>;
  opts?: RenderEmailOptions;
  /** An inbox's own subject and text per language, as an inbox stores them. */
  overrides?: Partial<Record<string, Pick<RenderEmailOptions, 'subject' | 'template'>>>;
}

/** The options to render `sample` with in `locale`: its own, the inbox's override for that language, the language. */
export function sampleOptions(sample: EmailSample, locale: string): RenderEmailOptions {
  return { ...sample.opts, ...sample.overrides?.[locale], locale };
}

const ACME = { brandName: 'Acme Support', signature: 'Kind regards,\nThe Acme Support team\nhttps://acme.example/help' };

const autoReply: AutoReplyData = { ticketNumber: 1234, ticketSubject: 'Invoice 2026-031 charged twice', customerName: 'Maria Lopez' };

const agentReply: AgentReplyData = {
  ticketNumber: 1234,
  ticketSubject: 'Invoice 2026-031 charged twice',
  agentName: 'Sam Patel',
  body: 'Hi Maria,\n\nSorry about that: the card was charged twice because of a retry on our side.\nI have refunded the second charge (€49.00); it should show within 3–5 working days.\n\nLet me know if anything else looks off.',
  timeZone: 'Europe/Berlin',
  history: [
    {
      from: 'Maria Lopez <maria@example.com>',
      sentAt: '2026-03-02T08:12:00Z',
      body: 'Hello,\n\nmy card shows two charges for invoice 2026-031. Can you check?\n\nThanks, Maria',
    },
  ],
};

const slaReminder: SlaReminderData = {
  ticketNumber: 123,
  ticketSubject: 'Cannot log in after password reset',
  clock: 'firstResponse',
  minutesLeft: 15,
  dueAt: '2026-03-03T13:30:00Z',
  timeZone: 'Europe/Berlin',
  recipientName: 'Sam',
  assigneeName: null,
  customer: 'Jon Berg <jon@example.org>',
  ticketUrl: 'https://desk.acme.example/tickets/65f1c0de0000000000000123',
};

const escalation: EscalationData = {
  ticketNumber: 118,
  ticketSubject: 'Checkout returns error 500',
  level: 2,
  levelName: 'Team leads',
  reason: 'First response is 45 minutes overdue.\nLevel 1 (on-call agents) was notified at 13:15 and nobody has replied yet.',
  clock: 'firstResponse',
  breachedAt: '2026-03-03T12:00:00Z',
  timeZone: 'Europe/Berlin',
  recipientName: 'Dana',
  assigneeName: 'Lee Wong',
  customer: 'Shop GmbH <ops@shop.example>',
  ticketUrl: 'https://desk.acme.example/tickets/65f1c0de0000000000000118',
};

const digest: DigestData = {
  managerName: 'Dana Kim',
  periodStart: '2026-03-01T23:00:00Z',
  periodEnd: '2026-03-08T23:00:00Z',
  timeZone: 'Europe/Berlin',
  inboxes: ['Support', 'Billing'],
  counts: { new: 42, solved: 37, reopened: 3 },
  backlogByAge: [
    { label: '< 1 day', count: 12 },
    { label: '1–3 days', count: 7 },
    { label: '3–7 days', count: 3 },
    { label: '> 7 days', count: 0 },
  ],
  breaches: [
    { id: '65f1c0de0000000000000118', number: 118, subject: 'Checkout returns error 500', clock: 'firstResponse', breachedAt: '2026-03-03T12:00:00Z' },
    { id: '65f1c0de0000000000000131', number: 131, subject: 'Refund not received', clock: 'resolution', breachedAt: '2026-03-06T16:40:00Z' },
  ],
  aboutToBreach: [{ id: '65f1c0de0000000000000140', number: 140, subject: 'Cannot export CSV', clock: 'nextResponse', dueAt: '2026-03-08T22:45:00Z' }],
  unassignedOlderThanHour: [{ id: '65f1c0de0000000000000142', number: 142, subject: 'Question about the API rate limits', createdAt: '2026-03-08T19:05:00Z' }],
  medianFirstResponseSeconds: 8100,
  medianResolutionSeconds: 100_800,
  p90FirstResponseSeconds: 30_600,
  p90ResolutionSeconds: 345_600,
  perAgent: [
    { name: 'Sam Patel', solved: 15, replies: 41 },
    { name: 'Lee Wong', solved: 12, replies: 30 },
    { name: 'Ana Silva', solved: 10, replies: 22 },
  ],
  satisfaction: {
    good: 21,
    okay: 4,
    bad: 2,
    total: 27,
    score: 77.8,
    comments: [
      { id: '65f1c0de0000000000000131', number: 131, subject: 'Refund not received', rating: 'bad', comment: 'It took a week and three emails.', ratedAt: '2026-03-07T10:12:00Z' },
      { id: '65f1c0de0000000000000118', number: 118, subject: 'Checkout returns error 500', rating: 'good', comment: 'Fixed within the hour, thank you!', ratedAt: '2026-03-04T08:30:00Z' },
    ],
  },
  ticketUrlBase: 'https://desk.acme.example/tickets',
  reportsUrl: 'https://desk.acme.example/reports?from=2026-03-02T08%3A00%3A00.000Z&to=2026-03-09T08%3A00%3A00.000Z',
  empty: false,
};

const emptyDigest: DigestData = {
  ...digest,
  counts: { new: 0, solved: 0, reopened: 0 },
  backlogByAge: digest.backlogByAge.map((row) => ({ ...row, count: 0 })),
  breaches: [],
  aboutToBreach: [],
  unassignedOlderThanHour: [],
  medianFirstResponseSeconds: null,
  medianResolutionSeconds: null,
  perAgent: [],
  satisfaction: { good: 0, okay: 0, bad: 0, total: 0, score: null, comments: [] },
  empty: true,
};

const mention: NotificationData = {
  kind: 'mentioned',
  ticketNumber: 1234,
  ticketSubject: 'Invoice 2026-031 charged twice',
  events: [
    { kind: 'mentioned', at: '2026-03-03T13:05:00Z', by: 'Sam Patel', excerpt: '@lee can you check the refund with the bank before Friday?' },
    { kind: 'mentioned', at: '2026-03-03T13:40:00Z', by: 'Sam Patel', excerpt: '@lee the bank confirmed: refund sent.' },
  ],
  customer: 'Maria Lopez <maria@example.com>',
  recipientName: 'Lee Wong',
  ticketUrl: 'https://desk.acme.example/tickets/65f1c0de0000000000001234',
  replyable: true,
  timeZone: 'Europe/Berlin',
};

const reminderSummary: NotificationSummaryData = {
  kind: 'sla_reminder',
  recipientName: 'Sam Patel',
  timeZone: 'Europe/Berlin',
  items: [
    { kind: 'sla_reminder', at: '2026-03-03T13:00:00Z', clock: 'firstResponse', dueAt: '2026-03-03T13:30:00Z', minutesLeft: 30, number: 123, subject: 'Cannot log in after password reset', url: 'https://desk.acme.example/tickets/65f1c0de0000000000000123' },
    { kind: 'sla_reminder', at: '2026-03-03T13:00:00Z', clock: 'resolution', dueAt: '2026-03-03T14:00:00Z', minutesLeft: 60, number: 118, subject: 'Checkout returns error 500', url: 'https://desk.acme.example/tickets/65f1c0de0000000000000118' },
    { kind: 'sla_reminder', at: '2026-03-03T13:00:00Z', clock: 'nextResponse', dueAt: '2026-03-03T15:15:00Z', minutesLeft: 135, number: 1234, subject: 'Invoice 2026-031 charged twice', url: 'https://desk.acme.example/tickets/65f1c0de0000000000001234' },
  ],
};

const assignedSummary: NotificationSummaryData = {
  kind: 'assigned',
  recipientName: null,
  timeZone: 'Europe/Berlin',
  items: [
    { kind: 'assigned', at: '2026-03-03T09:12:00Z', by: 'Sam Patel', number: 118, subject: 'Checkout returns error 500', url: 'https://desk.acme.example/tickets/65f1c0de0000000000000118' },
    { kind: 'assigned', at: '2026-03-03T09:14:00Z', by: 'Lee Wong', number: 123, subject: 'Cannot log in after password reset', url: null },
  ],
};

const invitation: PasswordLinkData = {
  purpose: 'invite',
  url: 'https://desk.acme.example/password/Qm9vdHN0cmFwVG9rZW5Gb3JUaGVQcmV2aWV3T25seTE',
  expiresAt: '2026-03-06T13:05:00Z',
  recipientName: 'Lee Wong',
  timeZone: 'Europe/Berlin',
};

/** A notification of each other kind, one event on one ticket each (the mail of every kind reads right in both languages). */
const otherNotifications: EmailSample[] = (
  [
    ['customer_replied', { excerpt: 'Any news? The second charge is still on my statement.' }],
    ['team_new_ticket', { teamName: 'Billing L2' }],
    ['sla_breached', { clock: 'resolution', dueAt: '2026-03-03T13:00:00Z' }],
    ['escalated', { clock: 'resolution', dueAt: '2026-03-03T13:00:00Z', level: 2, levelName: 'L2' }],
    ['pending_reminder', { days: 5 }],
    ['bad_rating', { excerpt: 'Three mails before anyone read my question.' }],
  ] as const
).map(([kind, event]) => ({
  id: `notification-${kind.replace(/_/g, '-')}`,
  template: 'notification',
  data: { ...mention, kind, replyable: kind !== 'bad_rating', events: [{ kind, at: '2026-03-03T13:05:00Z', ...event }] },
  opts: { branding: { brandName: 'Acme Support' } },
}));

/** Realistic data for every template, including the variants worth eyeballing. */
export const EMAIL_SAMPLES: EmailSample[] = [
  { id: 'auto-reply', template: 'auto-reply', data: autoReply, opts: { branding: ACME } },
  {
    // With the help center articles that match the mail (services/auto-reply/auto-reply-articles.ts).
    id: 'auto-reply-articles',
    template: 'auto-reply',
    data: {
      ...autoReply,
      articles: [
        { title: 'Why was I charged twice?', url: 'https://help.acme.example/help/en/why-was-i-charged-twice' },
        { title: 'Getting a refund', url: 'https://help.acme.example/help/en/getting-a-refund' },
      ],
    },
    opts: { branding: ACME },
  },
  {
    id: 'auto-reply-inbox-override',
    template: 'auto-reply',
    data: autoReply,
    opts: {
      branding: { brandName: 'Billing at Acme', signature: 'Acme Billing', primaryColor: '#0f766e' },
      subject: '[Acme Billing] We got your message about "{{ticketSubject}}"',
      template: 'Hello {{#if customerName}}{{customerName}}{{else}}there{{/if}},\n\nthank you for writing to {{brandName}}. Your reference is #{{ticketNumber}}.\nWe answer billing questions within one working day.',
    },
    overrides: {
      fr: {
        subject: '[Acme Facturation] Nous avons bien reçu votre message «\u00a0{{ticketSubject}}\u00a0»',
        template: 'Bonjour{{#if customerName}} {{customerName}}{{/if}},\n\nmerci d’avoir écrit à {{brandName}}. Votre référence est la demande n°\u00a0{{ticketNumber}}.\nNous répondons aux questions de facturation sous un jour ouvré.',
      },
    },
  },
  { id: 'agent-reply', template: 'agent-reply', data: agentReply, opts: { branding: ACME } },
  // Written in the reply editor: its HTML in the layout, its plain text in the text part.
  {
    id: 'agent-reply-html',
    template: 'agent-reply',
    data: {
      ...agentReply,
      body: 'Hi Maria,\n\nthe second charge is refunded:\n\n- amount: €49.00\n- on your statement within 3–5 working days\n\nSee our billing guide [https://example.com/billing].',
      bodyHtml: '<p>Hi Maria,</p><p>the second charge is <strong>refunded</strong>:</p><ul><li><p>amount: €49.00</p></li><li><p>on your statement within 3–5 working days</p></li></ul><p>See our <a href="https://example.com/billing">billing guide</a>.</p>',
    } satisfies AgentReplyData,
    opts: { branding: ACME },
  },
  { id: 'sla-reminder', template: 'sla-reminder', data: slaReminder, opts: { branding: { brandName: 'Acme Support' } } },
  { id: 'escalation', template: 'escalation', data: escalation, opts: { branding: { brandName: 'Acme Support', primaryColor: '#b91c1c' } } },
  // As the SLA timer sends it: no reason of its own, worded from the clock and the priority.
  {
    id: 'escalation-missed-target',
    template: 'escalation',
    data: { ...escalation, reason: null, priority: 'urgent', recipientName: null, levelName: null } satisfies EscalationData,
    opts: { branding: { brandName: 'Acme Support' } },
  },
  { id: 'digest', template: 'digest', data: digest, opts: { branding: { brandName: 'Acme Support' } } },
  { id: 'digest-empty', template: 'digest', data: emptyDigest, opts: { branding: { brandName: 'Acme Support' } } },
  { id: 'notification', template: 'notification', data: mention, opts: { branding: { brandName: 'Acme Support' } } },
  ...otherNotifications,
  { id: 'notification-summary', template: 'notification-summary', data: reminderSummary, opts: { branding: { brandName: 'Acme Support' } } },
  { id: 'notification-summary-assigned', template: 'notification-summary', data: assignedSummary, opts: { branding: { brandName: 'Acme Support' } } },
  { id: 'password-link', template: 'password-link', data: invitation, opts: { branding: { brandName: 'Acme Support' } } },
  { id: 'password-link-reset', template: 'password-link', data: { ...invitation, purpose: 'reset', recipientName: null }, opts: { branding: { brandName: 'Acme Support' } } },
  {
    id: 'satisfaction-survey',
    template: 'satisfaction-survey',
    data: { ticketNumber: 142, ticketSubject: 'Cannot export CSV', customerName: 'Dana', links: { good: `https://support.example.com/satisfaction/65f1c0de0000000000000142.abc.def.0123456789abcdef0123456789abcdef?rating=good`, okay: `https://support.example.com/satisfaction/65f1c0de0000000000000142.abc.def.0123456789abcdef0123456789abcdef?rating=okay`, bad: `https://support.example.com/satisfaction/65f1c0de0000000000000142.abc.def.0123456789abcdef0123456789abcdef?rating=bad` } },
    opts: { branding: { brandName: 'Acme Support' } },
  },
];
