import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ourMessageId, ticketNumberFromMessageId } from '../../../src/domain/message-ids.js';
import { onPartnerAnswered, onPartnerAsked, sideConversationOfMessageId, sideConversationReferenced, sideConversationText, sideMessageIdPart } from '../../../src/domain/side-conversations.js';
import { DEFAULT_SLA_POLICY, slaClocks, slaPausedIn, validateSlaPolicy } from '../../../src/domain/sla.js';
import { decideThread, type SideCandidate, type ThreadCandidate } from '../../../src/domain/thread-decision.js';

const sign = (v: string) => createHmac('sha256', 'k'.repeat(32)).update(v).digest('hex');
const otherSign = (v: string) => createHmac('sha256', 'x'.repeat(32)).update(v).digest('hex');
const now = new Date('2026-11-21T12:00:00Z');
const scHex = '65a1b2c3d4e5f60718293a4b';
const outboxHex = '65a1b2c3d4e5f60718293aff';
const ticket = (over: Partial<ThreadCandidate> = {}): ThreadCandidate => ({
  ticketId: 't1', number: 7, inboxId: 'in-a', status: 'with_partner', closedAt: null, participants: ['ann@example.com'], ...over,
});
const side = (over: Partial<ThreadCandidate> = {}): SideCandidate => ({ sideConversationId: scHex, ticket: ticket(over) });
const base = { inboxIds: ['in-a'], linked: [], tokenTicket: null, subjectTicket: null, sender: 'partner@vendor.test', now, reopenClosedWithinSeconds: 30 * 86400 };

describe('side-conversation Message-IDs', () => {
  const id = ourMessageId(7, sideMessageIdPart(scHex, outboxHex), 'support.test', sign);

  it('name their ticket and side conversation, and still name the ticket for older readers', () => {
    expect(sideConversationOfMessageId(id, sign)).toEqual({ ticketNumber: 7, sideConversationId: scHex });
    expect(ticketNumberFromMessageId(id, sign)).toBe(7);
  });
  it('are told apart from the ids of customer replies, and cannot be forged', () => {
    expect(sideConversationOfMessageId(ourMessageId(7, outboxHex, 'support.test', sign), sign)).toBeNull();
    expect(sideConversationOfMessageId(ourMessageId(7, sideMessageIdPart(scHex, outboxHex), 'support.test', otherSign), sign)).toBeNull();
    expect(sideConversationOfMessageId('s65a1b2c3d4e5f60718293a4b@vendor.test', sign)).toBeNull();
  });
  it('are found among a mail’s references, the newest first', () => {
    const older = ourMessageId(7, sideMessageIdPart('0'.repeat(24), outboxHex), 'support.test', sign);
    expect(sideConversationReferenced(['x@vendor.test', older, id, 'y@vendor.test'], sign)?.sideConversationId).toBe(scHex);
    expect(sideConversationReferenced(['x@vendor.test'], sign)).toBeNull();
  });
});

describe('decideThread with side conversations', () => {
  it('files an answer referencing a side conversation there', () => {
    expect(decideThread({ ...base, sideLinked: side() })).toEqual({ kind: 'side', ticketId: 't1', sideConversationId: scHex, status: 'with_partner', related: [], reason: 'references a side conversation' });
  });
  it('keeps it in the side conversation even when it also links to the customer’s conversation', () => {
    const d = decideThread({ ...base, linked: [ticket({ status: 'open' })], sideLinked: side(), tokenTicket: ticket() });
    expect(d).toMatchObject({ kind: 'side', ticketId: 't1' });
  });
  it('never joins a side conversation of a ticket of another inbox, and never joins that ticket either', () => {
    const d = decideThread({ ...base, linked: [ticket({ inboxId: 'in-b' })], sideLinked: side({ inboxId: 'in-b' }) });
    expect(d).toMatchObject({ kind: 'new', related: ['t1'] });
  });
  it('files a token-only answer from a side-conversation participant there, not in the customer’s conversation', () => {
    expect(decideThread({ ...base, tokenTicket: ticket(), sideByToken: side() })).toMatchObject({ kind: 'side', reason: 'subject token from a side conversation participant' });
  });
  it('lets a customer’s reply linked by id to their conversation join it as before', () => {
    const d = decideThread({ ...base, sender: 'ann@example.com', linked: [ticket({ status: 'open' })], sideByToken: side() });
    expect(d).toMatchObject({ kind: 'join', ticketId: 't1', reason: 'references' });
  });
  it('without a side conversation, a partner’s token alone opens a new ticket (they are no participant)', () => {
    expect(decideThread({ ...base, tokenTicket: ticket() })).toMatchObject({ kind: 'new' });
  });
});

describe('status rules', () => {
  it('a ticket waits on the partner once asked, unless solved, closed or spam', () => {
    expect(onPartnerAsked({ status: 'open' }, now)).toMatchObject({ change: { status: 'with_partner' }, statusChanged: { from: 'open', to: 'with_partner' } });
    expect(onPartnerAsked({ status: 'pending' }, now)?.change.status).toBe('with_partner');
    expect(onPartnerAsked({ status: 'with_partner' }, now)).toBeNull();
    for (const status of ['solved', 'closed', 'spam'] as const) expect(onPartnerAsked({ status }, now)).toBeNull();
  });
  it('the partner’s answer brings a waiting ticket back to open, and reopens nothing else', () => {
    expect(onPartnerAnswered({ status: 'with_partner' }, now)).toMatchObject({ change: { status: 'open' }, statusChanged: { from: 'with_partner', to: 'open' } });
    for (const status of ['open', 'pending', 'solved', 'closed'] as const) expect(onPartnerAnswered({ status }, now)).toBeNull();
  });
});

describe('sideConversationText', () => {
  it('quotes the selected messages under the agent’s words', () => {
    const text = sideConversationText('Could you check this?', [{ from: 'ann@example.com', date: now, subject: 'Printer', text: 'It jams.\n\nEvery time.' }], { heading: '--- Message ---', from: 'From:', date: 'Date:', subject: 'Subject:' });
    expect(text).toBe('Could you check this?\n\n--- Message ---\nFrom: ann@example.com\nDate: 2026-11-21T12:00:00.000Z\nSubject: Printer\n> It jams.\n>\n> Every time.');
  });
});

describe('the SLA while with a partner', () => {
  const input = (status: 'with_partner' | 'open', pauseWithPartner?: boolean) => ({
    policy: { ...DEFAULT_SLA_POLICY, ...(pauseWithPartner === undefined ? {} : { pauseWithPartner }) },
    priority: 'normal' as const, level: null, status, createdAt: now, firstRespondedAt: null, awaitingSince: null, pausedBusinessSeconds: 0, pausedAt: null, now,
  });
  it('stops the clocks by default, like pending', () => {
    expect(slaPausedIn('with_partner', DEFAULT_SLA_POLICY)).toBe(true);
    expect(slaClocks(input('with_partner'))).toEqual([]);
    expect(slaClocks(input('open')).length).toBeGreaterThan(0);
  });
  it('keeps them running when the inbox says not to pause', () => {
    expect(slaPausedIn('with_partner', { pauseWithPartner: false })).toBe(false);
    expect(slaClocks(input('with_partner', false)).map((c) => c.clock)).toEqual(slaClocks(input('open')).map((c) => c.clock));
  });
  it('stores only the choice not to pause', () => {
    const off = validateSlaPolicy({ targets: DEFAULT_SLA_POLICY.targets, pauseWithPartner: false });
    expect(off.ok && off.value.pauseWithPartner).toBe(false);
    const on = validateSlaPolicy({ targets: DEFAULT_SLA_POLICY.targets, pauseWithPartner: true });
    expect(on.ok && 'pauseWithPartner' in on.value).toBe(false);
    expect(validateSlaPolicy({ targets: DEFAULT_SLA_POLICY.targets, pauseWithPartner: 'yes' }).ok).toBe(false);
  });
});
