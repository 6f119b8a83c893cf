import { describe, expect, it } from 'vitest';
import type { BounceReport } from '../../../src/domain/bounce.js';
import { classifyMail, mailFacts } from '../../../src/domain/ingest-classify.js';
import { customerReplyStatus, fileReport, followUpsByTicket, planTicketUpdate } from '../../../src/domain/ingest-plan.js';
import { parsedMail } from '../../helpers/mail-fixtures.js';

const at = new Date('2026-11-21T09:00:00Z');
const copy = (complete: boolean) => ({ messageDocId: 'm0', ticketId: 't0', complete });

describe('classifyMail', () => {
  it('knows a stored copy first, then our own echo, then a mailer report, else a customer', () => {
    const oof = parsedMail({ subject: 'Automatic reply: Invoice', headers: { 'auto-submitted': ['auto-replied'] }, inReplyTo: ['ours@example.test'] });
    expect(classifyMail(parsedMail(), copy(true), 't9')).toEqual({ kind: 'duplicate', copy: copy(true) });
    expect(classifyMail(parsedMail(), copy(false), 't9')).toEqual({ kind: 'resume', copy: copy(false), report: null });
    expect(classifyMail(parsedMail(), null, 't9')).toEqual({ kind: 'echo', ticketId: 't9' });
    expect(classifyMail(oof, null, null).kind).toBe('report');
    expect(classifyMail(parsedMail(), null, null)).toEqual({ kind: 'customer' });
  });

  it('takes a mail to a notification address (signed or forged) for what it is, after a stored copy and before a report', () => {
    const tag = { kind: 'forged' as const, address: 'support+n0@example.test' };
    const oof = parsedMail({ subject: 'Automatic reply: Invoice', headers: { 'auto-submitted': ['auto-replied'] }, inReplyTo: ['ours@example.test'] });
    expect(classifyMail(parsedMail(), null, null, tag)).toEqual({ kind: 'notification-reply', tag });
    expect(classifyMail(oof, null, null, tag)).toEqual({ kind: 'notification-reply', tag });
    expect(classifyMail(parsedMail(), copy(true), null, tag).kind).toBe('duplicate');
  });

  it('dates a mail from the future at arrival and leaves our own addresses out of its participants', () => {
    const mail = parsedMail({ date: new Date('2030-01-01T00:00:00Z'), cc: [{ address: 'Support@Helpdesk.example', name: null }, { address: 'Bob@Customer.example', name: null }] });
    const facts = mailFacts(mail, new Set(['support@helpdesk.example']), 50, at);
    expect(facts).toMatchObject({ receivedAt: at, sender: 'jane@example.com', autoReason: null, capped: null });
    expect(facts.participants).toEqual(['jane@example.com', 'bob@customer.example']);
  });
});

describe('customerReplyStatus', () => {
  it.each([
    ['solved', true, false, 'reopened'],
    ['closed', true, false, 'reopened'],
    ['pending', true, false, 'customer-replied'],
    ['pending', false, false, 'customer-replied'],
    ['solved', false, false, null],
    ['open', true, false, null],
    ['solved', true, true, null],
    ['pending', true, true, null],
  ] as const)('a reply to a %s ticket (joined %s, automated %s): %s', (status, joined, automated, change) => {
    expect(customerReplyStatus(status, joined, automated, at)?.change ?? null).toBe(change);
  });
});

describe('planTicketUpdate', () => {
  const base = { ticketId: 't1', messageDocId: 'm1', inboxId: 'i1', mail: { from: { address: 'Ann@C.test', name: null }, subject: 'Hi' }, facts: { autoReason: null, capped: null }, related: ['t1', 't2'], at };

  it('opens a ticket that follows up a closed one: trail on both, link back, acknowledgement', () => {
    const plan = planTicketUpdate({ ...base, joined: false, ticket: { status: 'new', created: true, linkedTicketIds: ['t0'] } });
    expect(plan.events.map((e) => [e.type, e.ticketId, e.key])).toEqual([
      ['created', 't1', 'created:t1'],
      ['linked', 't0', 'linked:t0>t1'],
      ['message_received', 't1', 'received:m1'],
    ]);
    expect(plan.events[0]!.actor).toEqual({ kind: 'contact', label: 'ann@c.test' });
    expect(plan).toMatchObject({ set: {}, linkBack: ['t0'], related: ['t2'], followUp: { ticketId: 't1', awaitingReply: true, openedBy: 'm1' } });
  });

  it('reopens a solved ticket it joins, unless the mail is automated', () => {
    const reopened = planTicketUpdate({ ...base, joined: true, ticket: { status: 'solved', created: false, linkedTicketIds: [] } });
    expect(reopened.set).toEqual({ status: 'open', solvedAt: null, closedAt: null });
    expect(reopened.events.map((e) => e.key)).toEqual(['reopen:m1', 'received:m1']);
    const oof = planTicketUpdate({ ...base, joined: true, facts: { autoReason: 'auto-submitted: auto-replied', capped: null }, ticket: { status: 'solved', created: false, linkedTicketIds: [] } });
    expect(oof.set).toEqual({});
    expect(oof.followUp).toEqual({ ticketId: 't1', awaitingReply: false, openedBy: null });
  });

  it('names a person’s mail joining a ticket for its assignee’s notification, not one opening a ticket', () => {
    expect(planTicketUpdate({ ...base, joined: true, ticket: { status: 'open', created: false, linkedTicketIds: [] } }).followUp.replies).toEqual(['m1']);
    expect(planTicketUpdate({ ...base, joined: false, ticket: { status: 'new', created: true, linkedTicketIds: [] } }).followUp.replies).toBeUndefined();
  });
});

describe('fileReport', () => {
  const report = (over: Partial<BounceReport>): BounceReport => ({ kind: 'dsn', recipients: [], permanent: true, originalMessageId: 'x@y', reason: 'delivery-status:failed', ...over });

  it('marks only recipients whose delivery failed for good as bouncing (RFC 3464 Action)', () => {
    const filing = fileReport(report({ recipients: [
      { address: 'Gone@C.test', action: 'failed', status: '5.1.1', diagnostic: 'no such user' },
      { address: 'slow@c.test', action: 'delayed', status: '4.4.1', diagnostic: null },
      { address: 'old@c.test', action: null, status: null, diagnostic: null },
    ] }), 't1', 'm1', at);
    expect(filing.event).toMatchObject({ type: 'bounce_received', ticketId: 't1', key: 'bounce:m1' });
    expect(filing.bouncing).toEqual([{ email: 'gone@c.test', reason: 'no such user' }, { email: 'old@c.test', reason: 'delivery-status:failed' }]);
    expect(fileReport(report({ permanent: false, recipients: [{ address: 'a@c.test', action: 'failed', status: null, diagnostic: null }] }), 't1', 'm1', at).bouncing).toEqual([]);
  });

  it('files an out-of-office notice as an automatic reply that marks nobody', () => {
    const filing = fileReport(report({ reason: 'auto-reply', permanent: false, recipients: [{ address: 'ann@c.test', action: null, status: null, diagnostic: 'Out of office' }] }), 't1', 'm1', at);
    expect(filing).toEqual({
      event: { ticketId: 't1', type: 'auto_reply_received', actor: { kind: 'contact', label: 'ann@c.test' }, at, data: { from: 'ann@c.test', subject: 'Out of office', messageId: 'm1' }, key: 'auto-reply-received:m1' },
      bouncing: [],
    });
  });
});

describe('followUpsByTicket', () => {
  it('gives each ticket one follow-up, in the order tickets first appear', () => {
    expect(followUpsByTicket([
      { ticketId: 'b', awaitingReply: false, openedBy: null },
      { ticketId: 'a', awaitingReply: true, openedBy: 'm2' },
      { ticketId: 'b', awaitingReply: true, openedBy: null },
      { ticketId: 'a', awaitingReply: false, openedBy: null },
    ])).toEqual([
      { ticketId: 'b', awaitingReply: true, openedBy: null },
      { ticketId: 'a', awaitingReply: true, openedBy: 'm2' },
    ]);
  });

  it('keeps every reply of a ticket', () => {
    expect(followUpsByTicket([
      { ticketId: 'a', awaitingReply: true, openedBy: null, replies: ['m1'] },
      { ticketId: 'a', awaitingReply: false, openedBy: null },
      { ticketId: 'a', awaitingReply: true, openedBy: null, replies: ['m3'] },
    ])).toEqual([{ ticketId: 'a', awaitingReply: true, openedBy: null, replies: ['m1', 'm3'] }]);
  });
});
