import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shouldAutoReply, type AutoReplyInput } from '../../../src/domain/auto-reply-policy.js';
import { detectBounce } from '../../../src/domain/bounce.js';
import type { ParsedMail } from '../../../src/domain/mail.js';
import { parseMail } from '../../../src/mail/parse-mail.js';
import { emlFiles, FIXTURES, readFixture, splitMbox } from '../../helpers/mail-fixtures.js';
import { readMbox } from '../../helpers/mbox.js';

const LIMIT = { maxBytes: 10 * 1024 * 1024 };

/** An enabled inbox that has sent nothing yet: only the message itself can stop a reply. */
function freshInbox(mail: ParsedMail): AutoReplyInput {
  return {
    mail,
    enabled: true,
    ownAddresses: new Set(['support@help.example.com']),
    loopId: 'threadline@help.example.com',
    recipientBouncing: false,
    lastAutoReplyToSenderAt: null,
    windowSeconds: 86_400,
    sentThisHourForInbox: 0,
    hourlyCap: 1_000,
    now: new Date('2024-05-01T12:00:00Z'),
  };
}

interface Verdict {
  name: string;
  reason: string | null;
  bounceReason: string | null;
}

async function judge(messages: Array<[name: string, raw: Buffer]>): Promise<Verdict[]> {
  const out: Verdict[] = [];
  for (const [name, raw] of messages) {
    const mail = await parseMail(raw, LIMIT);
    const decision = shouldAutoReply(freshInbox(mail));
    out.push({ name, reason: decision.send ? null : decision.reason, bounceReason: detectBounce(mail)?.reason ?? null });
  }
  return out;
}

/** How often each refusal reason decided, most frequent first; `SEND` counts the messages answered. */
function histogram(verdicts: Verdict[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const v of verdicts) {
    const key = v.reason ?? 'SEND';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}

const answered = (verdicts: Verdict[]) => verdicts.filter((v) => v.reason === null).map((v) => v.name);

describe('no auto-reply to any real bounce', () => {
  it('refuses every one of the 629 sisimai bounces (maildir/bsd)', async () => {
    const verdicts = await judge(emlFiles('sisimai-bounces/maildir/bsd').map((name) => [name, readFixture(name)]));
    expect(verdicts).toHaveLength(629);
    console.log('auto-reply policy, sisimai bsd:', histogram(verdicts));
    expect(answered(verdicts)).toEqual([]);

    // A bounce forwarded by a person is a bounce still: it may become a ticket, but is never acknowledged.
    const forwarded = verdicts.filter((v) => v.bounceReason === 'forwarded-bounce');
    expect(forwarded.map((v) => v.name.split('/').pop())).toEqual(['lhost-sendmail-14.eml']);
    expect(forwarded.every((v) => v.reason !== null)).toBe(true);
  });

  it('refuses every message of the sisimai mbox files', async () => {
    const messages = ['mbox-0', 'mbox-1'].flatMap((file) =>
      splitMbox(readFixture(`sisimai-bounces/mailbox/${file}`)).map((raw, i): [string, Buffer] => [`${file}#${i}`, raw]),
    );
    const verdicts = await judge(messages);
    expect(verdicts).toHaveLength(38);
    console.log('auto-reply policy, sisimai mbox:', histogram(verdicts));
    expect(answered(verdicts)).toEqual([]);
  });

  it('refuses every mikel-mail multipart/report message', async () => {
    const verdicts = await judge(emlFiles('mikel-mail/multipart_report_emails').map((name) => [name, readFixture(name)]));
    expect(verdicts.length).toBeGreaterThan(0);
    console.log('auto-reply policy, mikel-mail multipart_report:', histogram(verdicts));
    expect(answered(verdicts)).toEqual([]);
  });
});

describe('no auto-reply to mailing-list traffic', () => {
  it('refuses every fedora-devel list post', async () => {
    const raws = readMbox(path.join(FIXTURES, 'fedora-devel-2010-01', 'fedora-devel-2010-January.mbox'));
    const verdicts = await judge(raws.map((raw, i): [string, Buffer] => [`fedora-devel#${i}`, raw]));
    expect(verdicts).toHaveLength(292);
    console.log('auto-reply policy, fedora-devel:', histogram(verdicts));
    expect(answered(verdicts)).toEqual([]);
  });

  it('still refuses them by their List-* headers when Precedence is gone', async () => {
    const raws = readMbox(path.join(FIXTURES, 'fedora-devel-2010-01', 'fedora-devel-2010-January.mbox'));
    const reasons = new Set<string>();
    for (const raw of raws) {
      const mail = await parseMail(raw, LIMIT);
      delete mail.headers['precedence'];
      const decision = shouldAutoReply(freshInbox(mail));
      reasons.add(decision.send ? 'SEND' : decision.reason);
    }
    expect([...reasons]).toEqual(['list-header:list-id']);
  });
});

describe('a customer writing to support', () => {
  const customerMail = (returnPath: string | null): Buffer =>
    Buffer.from(
      [
        ...(returnPath === null ? [] : [`Return-Path: <${returnPath}>`]),
        'Received: from mail.example.net by mx.help.example.com; Wed, 1 May 2024 09:59:58 +0000',
        'From: Jane Doe <jane@example.net>',
        'To: Support <support@help.example.com>',
        'Subject: =?UTF-8?Q?Bestellung_nicht_angekommen?=',
        'Date: Wed, 1 May 2024 09:59:50 +0000',
        'Message-ID: <c0ffee@mail.example.net>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Hello, my order #1234 has not arrived yet. Can you help?',
        '',
      ].join('\r\n'),
    );

  it('gets an auto-reply when the final MTA recorded a Return-Path', async () => {
    const mail = await parseMail(customerMail('jane@example.net'), LIMIT);
    expect(shouldAutoReply(freshInbox(mail))).toEqual({ send: true });
  });

  it('gets none when the Return-Path is missing altogether', async () => {
    const mail = await parseMail(customerMail(null), LIMIT);
    expect(shouldAutoReply(freshInbox(mail))).toEqual({ send: false, reason: 'no-return-path' });
  });
});
