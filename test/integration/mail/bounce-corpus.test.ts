import { beforeAll, describe, expect, it } from 'vitest';
import { autoSubmittedReason } from '../../../src/domain/auto-submitted.js';
import { detectBounce, type BounceReport } from '../../../src/domain/bounce.js';
import type { ParsedMail } from '../../../src/domain/mail.js';
import { parseMail } from '../../../src/mail/parse-mail.js';
import { emlFiles, readFixture, splitMbox } from '../../helpers/mail-fixtures.js';

const LIMIT = { maxBytes: 10 * 1024 * 1024 };

interface Sample {
  name: string;
  mail: ParsedMail;
  report: BounceReport | null;
}

async function load(names: string[], read: (name: string) => Buffer): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const name of names) {
    const mail = await parseMail(read(name), LIMIT);
    samples.push({ name, mail, report: detectBounce(mail) });
  }
  return samples;
}

function percent(part: number, whole: number): string {
  return `${part}/${whole} (${((100 * part) / whole).toFixed(1)}%)`;
}

describe('sisimai bounces (maildir/bsd): every one is recognised', () => {
  let samples: Sample[] = [];

  beforeAll(async () => {
    samples = await load(emlFiles('sisimai-bounces/maildir/bsd'), readFixture);
  });

  it('detects all 629 as bounces or reports, so none opens a ticket', () => {
    expect(samples).toHaveLength(629);
    const missed = samples.filter((s) => s.report === null).map((s) => s.name);
    const reasons: Record<string, number> = {};
    for (const s of samples) {
      const key = s.report?.reason.split(':')[0] ?? 'MISSED';
      reasons[key] = (reasons[key] ?? 0) + 1;
    }
    console.log(`sisimai bsd: detected ${percent(samples.length - missed.length, samples.length)}`, reasons);
    expect(missed).toEqual([]);
  });

  it('finds the failed recipient and the original Message-ID for most of them', () => {
    const withRecipient = samples.filter((s) => s.report?.recipients.some((r) => r.address !== null));
    const withOriginalId = samples.filter((s) => s.report?.originalMessageId);
    const withStatus = samples.filter((s) => s.report?.recipients.some((r) => r.status !== null));
    // A found recipient that is also the bounce's addressee is usually the original sender read by
    // mistake, unless the message was sent to oneself.
    const suspicious = samples.filter((s) =>
      s.report?.recipients.some((r) => r.address !== null && s.mail.to.some((t) => t.address.toLowerCase() === r.address)),
    );
    console.log(
      `sisimai bsd: recipient address ${percent(withRecipient.length, samples.length)}, ` +
        `originalMessageId ${percent(withOriginalId.length, samples.length)}, ` +
        `status code ${percent(withStatus.length, samples.length)}, ` +
        `recipient equal to the bounce's addressee ${suspicious.length} (${suspicious.map((s) => s.name).join(', ')})`,
    );
    expect(withRecipient.length).toBeGreaterThanOrEqual(620);
    expect(withOriginalId.length).toBeGreaterThanOrEqual(550);
    // Each of these states it in Final-Recipient or X-Failed-Recipients (a message sent to oneself,
    // or addresses anonymised to xxxx@xxxx) or, for qmail-08, names it alone in the qmail report.
    expect(suspicious.map((s) => s.name.split('/').pop())).toEqual([
      'lhost-exim-61.eml',
      'lhost-postfix-09.eml',
      'lhost-postfix-80.eml',
      'lhost-qmail-08.eml',
      'lhost-sendmail-39.eml',
      'lhost-sendmail-54.eml',
      'lhost-x3-06.eml',
    ]);
  });

  it('never leaves a bounce eligible for an auto-reply (autoSubmittedReason ∪ detectBounce = 100%)', () => {
    const uncovered = samples.filter((s) => s.report === null && autoSubmittedReason(s.mail) === null).map((s) => s.name);
    const onlyByBounce = samples.filter((s) => autoSubmittedReason(s.mail) === null).map((s) => s.name);
    console.log(`sisimai bsd: autoSubmittedReason alone ${percent(samples.length - onlyByBounce.length, samples.length)}; the rest are caught by detectBounce`, onlyByBounce);
    expect(uncovered).toEqual([]);
  });

  it('reads a few well-known formats exactly', () => {
    const byName = (name: string): BounceReport | null => samples.find((s) => s.name.endsWith(name))?.report ?? null;
    expect(byName('lhost-postfix-01.eml')).toMatchObject({ kind: 'dsn', permanent: true, reason: 'delivery-status:failed' });
    expect(byName('lhost-qmail-01.eml')).toMatchObject({
      kind: 'plain',
      permanent: true,
      originalMessageId: '000000000.9999999999999.JavaMail.postmaster@mailhub',
      recipients: [{ address: 'kijitora@example.ne.jp', action: 'failed', status: '5.5.0' }],
    });
    expect(byName('lhost-exim-01.eml')).toMatchObject({
      reason: 'x-failed-recipients',
      originalMessageId: 'E1P1ce6-000Egt-GZ@e1.example.org',
      recipients: [{ address: 'kijitora@example.ed.jp' }],
    });
    expect(byName('lhost-exchange2003-01.eml')).toMatchObject({ kind: 'plain', recipients: [{ address: 'kijitora@example.jp' }] });
    expect(byName('lhost-gmail-01.eml')).toMatchObject({ recipients: [{ address: 'userunknown@example.jp', status: '5.1.1' }] });
    expect(byName('lhost-amazonses-12.eml')).toMatchObject({ permanent: false, reason: 'ses-notification:delivery' });
    expect(byName('rfc3834-01.eml')).toMatchObject({ permanent: false, reason: 'auto-reply' });
    expect(byName('arf-01.eml')).toMatchObject({ kind: 'dsn', permanent: false, reason: 'feedback-report' });
    // A person forwarding a bounce whole: sisimai counts it, the reason lets callers tell it apart.
    expect(byName('lhost-sendmail-14.eml')).toMatchObject({ reason: 'forwarded-bounce', recipients: [{ address: 'kijitora@example.com' }] });
  });
});

describe('sisimai mailbox/ mbox files', () => {
  it('detects all 38 messages of mbox-0 and mbox-1', async () => {
    const messages = ['mbox-0', 'mbox-1'].flatMap((name) => splitMbox(readFixture(`sisimai-bounces/mailbox/${name}`)));
    expect(messages).toHaveLength(38);
    const samples = await load(
      messages.map((_, i) => String(i)),
      (i) => messages[Number(i)] ?? Buffer.alloc(0),
    );
    const missed = samples.filter((s) => s.report === null).map((s) => s.name);
    const withRecipient = samples.filter((s) => s.report?.recipients.some((r) => r.address !== null)).length;
    const withOriginalId = samples.filter((s) => s.report?.originalMessageId).length;
    console.log(`sisimai mbox: detected ${percent(38 - missed.length, 38)}, recipient ${percent(withRecipient, 38)}, originalMessageId ${percent(withOriginalId, 38)}`);
    expect(missed).toEqual([]);
  });
});

describe('messages that are not bounces', () => {
  it('leaves the sisimai non-bounces alone, except the postmaster notice filed there for a parser bug', async () => {
    const samples = await load(emlFiles('sisimai-bounces/maildir/not'), readFixture);
    const detected = Object.fromEntries(samples.map((s) => [s.name.split('/').pop(), s.report?.reason ?? null]));
    // rb-issue-368-bug.eml is a real "mailbox full" notice from postmaster@ with Return-Path <> and
    // Auto-Submitted: auto-replied; sisimai keeps it in not/ to reproduce a crash, not because it
    // is a person's mail. Opening a ticket for it would be wrong.
    expect(detected).toEqual({ 'is-not-bounce-01.eml': null, 'is-not-bounce-02.eml': null, 'rb-issue-368-bug.eml': 'mailer-daemon' });
  });

  it('finds no bounce among the ordinary mikel-mail messages', async () => {
    const folders = ['plain_emails', 'mime_emails', 'attachment_emails', 'multi_charset', 'rfc2822', 'rfc6532', 'error_emails'];
    const samples = await load(
      folders.flatMap((f) => emlFiles(`mikel-mail/${f}`)),
      readFixture,
    );
    const detected = samples.filter((s) => s.report !== null).map((s) => `${s.name}: ${s.report?.reason}`);
    console.log(`mikel-mail ordinary folders: ${samples.length - detected.length}/${samples.length} not bounces`, detected);
    // The one exception is a real Sendmail delay warning (multipart/report from MAILER-DAEMON) that
    // the Ruby gem keeps among its MIME fixtures for its part without a Content-Type.
    expect(detected).toEqual(['mikel-mail/mime_emails/raw_email_with_mimepart_without_content_type.eml: delivery-status:delayed']);
  });

  it('reads each mikel-mail multipart/report fixture', async () => {
    const samples = await load(emlFiles('mikel-mail/multipart_report_emails'), readFixture);
    const summary = Object.fromEntries(
      samples.map((s) => [
        s.name.split('/').pop(),
        { reason: s.report?.reason, permanent: s.report?.permanent, recipients: s.report?.recipients.map((r) => `${r.address} ${r.status}`) },
      ]),
    );
    expect(summary['report_422.eml']).toEqual({ reason: 'delivery-status:delayed', permanent: false, recipients: ['fraser@oooooooo.com.au 4.2.2'] });
    expect(summary['report_530.eml']).toEqual({ reason: 'delivery-status:failed', permanent: true, recipients: ['edwin@zzzzzzz.com 5.3.0'] });
    expect(summary['multipart_report_multiple_status.eml']).toMatchObject({ reason: 'delivery-status:failed', permanent: true });
    expect(summary['multi_address_bounce1.eml']?.recipients).toHaveLength(5);
    expect(summary['multi_address_bounce2.eml']).toMatchObject({ reason: 'delivery-status:failed', permanent: true });
    for (const s of samples) expect(s.report?.originalMessageId).toBeTruthy();
  });
});
