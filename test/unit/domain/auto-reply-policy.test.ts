import { describe, expect, it } from 'vitest';
import { autoReplyRecipient, shouldAutoReply, type AutoReplyInput } from '../../../src/domain/auto-reply-policy.js';
import type { ParsedMail } from '../../../src/domain/mail.js';
import { parsedMail } from '../../helpers/mail-fixtures.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const DAY = 86_400;

function input(mail: ParsedMail = parsedMail(), overrides: Partial<AutoReplyInput> = {}): AutoReplyInput {
  return {
    mail,
    enabled: true,
    ownAddresses: new Set(['support@helpdesk.example', 'sales@helpdesk.example']),
    loopId: 'threadline@helpdesk.example',
    recipientBouncing: false,
    lastAutoReplyToSenderAt: null,
    windowSeconds: DAY,
    sentThisHourForInbox: 0,
    hourlyCap: 50,
    now: NOW,
    ...overrides,
  };
}

const reasonFor = (mail: ParsedMail, overrides: Partial<AutoReplyInput> = {}): string | null => {
  const decision = shouldAutoReply(input(mail, overrides));
  return decision.send ? null : decision.reason;
};
const withHeaders = (headers: Record<string, string[]>) => parsedMail({ headers });
const fromAddress = (address: string) => parsedMail({ from: { address, name: null }, returnPath: address });

describe('shouldAutoReply', () => {
  it('answers an ordinary customer mail', () => {
    expect(shouldAutoReply(input())).toEqual({ send: true });
  });

  it('never answers when the inbox has auto-replies disabled', () => {
    expect(reasonFor(parsedMail(), { enabled: false })).toBe('disabled');
  });

  it('needs a usable recipient in Reply-To or From', () => {
    expect(reasonFor(parsedMail({ from: null }))).toBe('no-recipient');
    expect(reasonFor(parsedMail({ from: { address: 'jane', name: null } }))).toBe('no-recipient');
    expect(reasonFor(parsedMail({ from: { address: 'jane doe@example.com', name: null } }))).toBe('no-recipient');
  });

  it('refuses a null Return-Path (RFC 3834 §2) and a missing one', () => {
    expect(reasonFor(parsedMail({ returnPath: '' }))).toBe('null-return-path');
    expect(reasonFor(parsedMail({ returnPath: null }))).toBe('no-return-path');
  });

  it('refuses Auto-Submitted other than "no" (RFC 3834 §5)', () => {
    expect(reasonFor(withHeaders({ 'auto-submitted': ['auto-replied'] }))).toBe('auto-submitted:auto-replied');
    expect(reasonFor(withHeaders({ 'auto-submitted': ['auto-generated'] }))).toBe('auto-submitted:auto-generated');
    expect(reasonFor(withHeaders({ 'auto-submitted': ['no'] }))).toBeNull();
  });

  it.each(['bulk', 'list', 'junk'])('refuses Precedence: %s', (value) => {
    expect(reasonFor(withHeaders({ precedence: [value] }))).toBe(`precedence:${value}`);
  });

  it('refuses any List-* header (RFC 2369 / RFC 2919)', () => {
    expect(reasonFor(withHeaders({ 'list-id': ['<dev.lists.example>'] }))).toBe('list-header:list-id');
    expect(reasonFor(withHeaders({ 'list-unsubscribe': ['<mailto:leave@lists.example>'] }))).toBe('list-header:list-unsubscribe');
  });

  it.each([
    ['All', 'all'],
    ['OOF', 'oof'],
    ['DR, RN, NRN, OOF, AutoReply', 'dr'],
    ['AutoReply', 'autoreply'],
  ])('refuses X-Auto-Response-Suppress: %s', (value, token) => {
    expect(reasonFor(withHeaders({ 'x-auto-response-suppress': [value] }))).toBe(`x-auto-response-suppress:${token}`);
  });

  it.each([
    ['MAILER-DAEMON@mx.example.com', 'sender:mailer-daemon'],
    ['postmaster@example.com', 'sender:postmaster'],
    ['no-reply@shop.example', 'sender:noreply'],
    ['noreply@shop.example', 'sender:noreply'],
    ['do-not-reply@shop.example', 'sender:donotreply'],
    ['bounce@esp.example', 'sender:bounce'],
    ['LISTSERV@lists.example.edu', 'sender:listserv'],
    ['majordomo@lists.example', 'sender:majordomo'],
    ['owner-devel@lists.example', 'sender:owner'],
    ['devel-request@lists.example', 'sender:request'],
    ['devel-request+x1@lists.example', 'sender:request'],
  ])('refuses system sender %s', (address, reason) => {
    expect(reasonFor(fromAddress(address))).toBe(reason);
  });

  it('does not mistake ordinary local parts for system senders', () => {
    for (const address of ['owner@shop.example', 'request@shop.example', 'majordomo.fan@example.com', 'jane.owner-smith@example.com']) {
      expect(reasonFor(fromAddress(address)), address).toBeNull();
    }
  });

  it('checks the system-sender rules on a Reply-To recipient and on the Return-Path too', () => {
    expect(reasonFor(parsedMail({ replyTo: [{ address: 'noreply@shop.example', name: null }] }))).toBe('sender:noreply');
    expect(reasonFor(parsedMail({ returnPath: 'owner-devel@lists.example' }))).toBe('sender:owner');
  });

  it('never answers one of our own addresses (inbox-to-inbox loops)', () => {
    expect(reasonFor(fromAddress('Support@Helpdesk.example'))).toBe('own-address');
    expect(reasonFor(parsedMail({ replyTo: [{ address: 'sales@helpdesk.example', name: null }] }))).toBe('own-address');
    expect(reasonFor(parsedMail({ returnPath: 'support@helpdesk.example' }))).toBe('own-address');
    expect(reasonFor(parsedMail(), { ownAddresses: new Set(['Jane@Example.com']) })).toBe('own-address');
  });

  it('refuses our own X-Loop, matched case-insensitively inside the value', () => {
    expect(reasonFor(withHeaders({ 'x-loop': ['Threadline@Helpdesk.example'] }))).toBe('x-loop');
    expect(reasonFor(withHeaders({ 'x-loop': ['<threadline@helpdesk.example> (ticket 42)'] }))).toBe('x-loop');
    // Anybody else's X-Loop also says some software is relaying in a loop-aware way: no reply either.
    expect(reasonFor(withHeaders({ 'x-loop': ['procmail@elsewhere.example'] }))).toBe('x-loop');
  });

  it('refuses multipart/report', () => {
    expect(reasonFor(parsedMail({ contentType: 'multipart/report', reportType: 'delivery-status' }))).toBe('multipart-report');
  });

  it('refuses what detectBounce recognises even when no header says "automated"', () => {
    expect(reasonFor(withHeaders({ 'x-failed-recipients': ['bob@example.org'] }))).toBe('bounce');
  });

  it('refuses a bounce a person forwarded: it may open a ticket but gets no acknowledgement', () => {
    const forwarded = parsedMail({
      subject: 'Fwd: Returned mail: see transcript for details',
      text:
        'Why did this bounce?\n\n> From: Mail Delivery Subsystem <MAILER-DAEMON>\n> Subject: Returned mail\n>\n' +
        '> Final-Recipient: RFC822; bob@example.org\n> Action: failed\n> Status: 5.1.1\n',
    });
    expect(reasonFor(forwarded)).toBe('bounce');
  });

  it('refuses a recipient known to bounce', () => {
    expect(reasonFor(parsedMail(), { recipientBouncing: true })).toBe('recipient-bouncing');
  });

  describe('once per recipient per window', () => {
    const at = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000);

    it('refuses inside the window, including one millisecond before its end', () => {
      expect(reasonFor(parsedMail(), { lastAutoReplyToSenderAt: at(60) })).toBe('window');
      expect(reasonFor(parsedMail(), { lastAutoReplyToSenderAt: new Date(at(DAY).getTime() + 1) })).toBe('window');
    });

    it('answers again exactly at the window edge and after it', () => {
      expect(reasonFor(parsedMail(), { lastAutoReplyToSenderAt: at(DAY) })).toBeNull();
      expect(reasonFor(parsedMail(), { lastAutoReplyToSenderAt: at(DAY + 1) })).toBeNull();
      expect(reasonFor(parsedMail(), { lastAutoReplyToSenderAt: at(3600), windowSeconds: 3600 })).toBeNull();
    });

    it('counts a last reply in the future (clock skew) as inside the window', () => {
      expect(reasonFor(parsedMail(), { lastAutoReplyToSenderAt: at(-60) })).toBe('window');
    });
  });

  describe('hourly cap per inbox', () => {
    it('answers below the cap and refuses once it is reached', () => {
      expect(reasonFor(parsedMail(), { sentThisHourForInbox: 49, hourlyCap: 50 })).toBeNull();
      expect(reasonFor(parsedMail(), { sentThisHourForInbox: 50, hourlyCap: 50 })).toBe('hourly-cap');
      expect(reasonFor(parsedMail(), { sentThisHourForInbox: 51, hourlyCap: 50 })).toBe('hourly-cap');
    });

    it('treats a cap of 0 as "never"', () => {
      expect(reasonFor(parsedMail(), { hourlyCap: 0 })).toBe('hourly-cap');
    });
  });

  it('names the message-level reason before the counters', () => {
    const decision = shouldAutoReply(
      input(withHeaders({ precedence: ['bulk'] }), { recipientBouncing: true, sentThisHourForInbox: 99, hourlyCap: 1 }),
    );
    expect(decision).toEqual({ send: false, reason: 'precedence:bulk' });
  });
});

describe('autoReplyRecipient', () => {
  it('uses From when there is no Reply-To, lower-cased', () => {
    expect(autoReplyRecipient(parsedMail({ from: { address: 'Jane.Doe@Example.COM', name: 'Jane' } }))).toBe('jane.doe@example.com');
  });

  it("prefers Reply-To's first address", () => {
    const mail = parsedMail({
      replyTo: [
        { address: 'Orders@Shop.example', name: null },
        { address: 'other@shop.example', name: null },
      ],
    });
    expect(autoReplyRecipient(mail)).toBe('orders@shop.example');
  });

  it('falls back to From when the first Reply-To address is unusable', () => {
    expect(autoReplyRecipient(parsedMail({ replyTo: [{ address: 'undisclosed-recipients', name: null }] }))).toBe('jane@example.com');
  });

  it('returns null when neither is usable', () => {
    expect(autoReplyRecipient(parsedMail({ from: null }))).toBeNull();
    expect(autoReplyRecipient(parsedMail({ from: { address: '<jane@example.com>', name: null } }))).toBeNull();
    expect(autoReplyRecipient(parsedMail({ from: { address: 'jane@localhost', name: null } }))).toBeNull();
  });

  it('accepts internationalised addresses (RFC 6531)', () => {
    expect(autoReplyRecipient(parsedMail({ from: { address: 'jürgen@müller.example', name: null } }))).toBe('jürgen@müller.example');
  });
});
