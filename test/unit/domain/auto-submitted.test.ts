import { describe, expect, it } from 'vitest';
import { autoSubmittedReason } from '../../../src/domain/auto-submitted.js';
import { parsedMail } from '../../helpers/mail-fixtures.js';

const withHeaders = (headers: Record<string, string[]>) => parsedMail({ headers });
const from = (address: string) => parsedMail({ from: { address, name: null } });

describe('autoSubmittedReason', () => {
  it('returns null for mail a person wrote', () => {
    expect(autoSubmittedReason(parsedMail())).toBeNull();
  });

  it.each([
    ['auto-replied', 'auto-submitted:auto-replied'],
    ['Auto-Generated', 'auto-submitted:auto-generated'],
    ['auto-replied; owner-email="x@example.com"', 'auto-submitted:auto-replied'],
    ['auto-notified (vacation)', 'auto-submitted:auto-notified'],
  ])('flags Auto-Submitted: %s', (value, reason) => {
    expect(autoSubmittedReason(withHeaders({ 'auto-submitted': [value] }))).toBe(reason);
  });

  it('does not flag Auto-Submitted: no (RFC 3834 §5)', () => {
    expect(autoSubmittedReason(withHeaders({ 'auto-submitted': ['No'] }))).toBeNull();
    expect(autoSubmittedReason(withHeaders({ 'auto-submitted': ['no; comment'] }))).toBeNull();
  });

  it.each(['bulk', 'list', 'junk', 'auto_reply', 'BULK'])('flags Precedence: %s', (value) => {
    expect(autoSubmittedReason(withHeaders({ precedence: [value] }))).toBe(`precedence:${value.toLowerCase()}`);
  });

  it('does not flag other Precedence values', () => {
    expect(autoSubmittedReason(withHeaders({ precedence: ['first-class'] }))).toBeNull();
  });

  it('flags any List-* header (RFC 2369 / RFC 2919), naming List-Id first', () => {
    expect(autoSubmittedReason(withHeaders({ 'list-unsubscribe': ['<mailto:u@x>'], 'list-id': ['<l.x>'] }))).toBe('list-header:list-id');
    expect(autoSubmittedReason(withHeaders({ 'list-unsubscribe': ['<https://x/u>'] }))).toBe('list-header:list-unsubscribe');
    expect(autoSubmittedReason(withHeaders({ 'list-post': ['<mailto:l@x>'] }))).toBe('list-header:list-post');
  });

  it.each([
    ['All', 'all'],
    ['OOF, AutoReply', 'oof'],
    ['DR', 'dr'],
    ['RN, NRN', 'rn'],
    ['AutoReply', 'autoreply'],
  ])('flags X-Auto-Response-Suppress: %s', (value, token) => {
    expect(autoSubmittedReason(withHeaders({ 'x-auto-response-suppress': [value] }))).toBe(`x-auto-response-suppress:${token}`);
  });

  it('ignores X-Auto-Response-Suppress values that do not concern replies', () => {
    expect(autoSubmittedReason(withHeaders({ 'x-auto-response-suppress': ['NDR'] }))).toBeNull();
  });

  it.each(['x-autoreply', 'x-autorespond', 'x-auto-reply-from', 'x-ms-exchange-generated-message-source'])('flags %s', (name) => {
    expect(autoSubmittedReason(withHeaders({ [name]: ['yes'] }))).toBe(`header:${name}`);
  });

  it('flags X-Loop with any value', () => {
    expect(autoSubmittedReason(withHeaders({ 'x-loop': ['support@helpdesk.example'] }))).toBe('x-loop');
  });

  it('flags the null sender and multipart/report', () => {
    expect(autoSubmittedReason(parsedMail({ returnPath: '' }))).toBe('null-return-path');
    expect(autoSubmittedReason(parsedMail({ returnPath: null }))).toBeNull();
    expect(autoSubmittedReason(parsedMail({ contentType: 'multipart/report', reportType: 'delivery-status' }))).toBe('multipart-report');
  });

  it.each([
    ['MAILER-DAEMON@mx.example.com', 'sender:mailer-daemon'],
    ['postmaster@example.com', 'sender:postmaster'],
    ['no-reply@example.com', 'sender:noreply'],
    ['noreply@example.com', 'sender:noreply'],
    ['no_reply+abc@example.com', 'sender:noreply'],
    ['calendar-noreply@example.com', 'sender:noreply'],
    ['do-not-reply@example.com', 'sender:donotreply'],
    ['DoNotReply@example.com', 'sender:donotreply'],
    ['bounce@example.com', 'sender:bounce'],
    ['bounces+1234-abcd=example.com@em.example.net', 'sender:bounce'],
    ['notification@example.com', 'sender:notification'],
    ['notifications@github.example', 'sender:notification'],
    ['auto-reply@example.com', 'sender:autoreply'],
    ['autoreply@example.com', 'sender:autoreply'],
  ])('flags the sender %s', (address, reason) => {
    expect(autoSubmittedReason(from(address))).toBe(reason);
  });

  it('checks Sender and Return-Path too, and a bare MAILER-DAEMON in From', () => {
    expect(autoSubmittedReason(parsedMail({ sender: { address: 'noreply@esp.example', name: null } }))).toBe('sender:noreply');
    expect(autoSubmittedReason(parsedMail({ returnPath: 'bounces@esp.example' }))).toBe('sender:bounce');
    expect(autoSubmittedReason(parsedMail({ from: null, headers: { from: ['mailer-daemon'] } }))).toBe('sender:mailer-daemon');
  });

  it.each(['replyhelp@example.com', 'noreen@example.com', 'bouncer.bob@example.com', 'postmasters-guild@example.com', 'john.notify@example.com'])(
    'does not flag the person %s',
    (address) => {
      expect(autoSubmittedReason(from(address))).toBeNull();
    },
  );

  it('does not treat ESP mail (Feedback-ID, DKIM, tracking headers) as automated by itself', () => {
    const mail = withHeaders({
      'feedback-id': ['1.eu-west-1.abc:AmazonSES'],
      'x-ses-outgoing': ['2024.05.01-1.2.3.4'],
      'x-mailgun-sid': ['abc'],
      'dkim-signature': ['v=1; a=rsa-sha256; d=example.com'],
    });
    expect(autoSubmittedReason(mail)).toBeNull();
  });
});
