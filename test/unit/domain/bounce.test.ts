import { describe, expect, it } from 'vitest';
import { detectBounce, isAutoReplyReport } from '../../../src/domain/bounce.js';
import { attachment, parsedMail } from '../../helpers/mail-fixtures.js';

const DSN = [
  'Reporting-MTA: dns; mx.example.net',
  'Arrival-Date: Mon, 6 May 2024 10:00:00 +0000',
  '',
  'Original-Recipient: rfc822;alias@example.org',
  'Final-Recipient: rfc822; <bob@example.org>',
  'Action: failed',
  'Status: 5.1.1 (user unknown)',
  'Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>:',
  '    Recipient address rejected: User unknown',
  '',
  'Final-Recipient: rfc822; carol@example.org',
  'Action: delayed',
  'Status: 4.2.2',
  '',
].join('\r\n');

const ORIGINAL_HEADERS = 'Message-ID: <orig-1@helpdesk.example>\r\nFrom: support@helpdesk.example\r\nTo: bob@example.org\r\nSubject: Re: order\r\n';

const daemon = { address: 'MAILER-DAEMON@mx.example.net', name: 'Mail Delivery System' };

describe('detectBounce: RFC 3464 delivery reports', () => {
  it('reads every recipient group of a message/delivery-status part', () => {
    const report = detectBounce(
      parsedMail({
        from: daemon,
        returnPath: '',
        subject: 'Undelivered Mail Returned to Sender',
        contentType: 'multipart/report',
        reportType: 'delivery-status',
        attachments: [attachment('message/delivery-status', DSN), attachment('text/rfc822-headers', ORIGINAL_HEADERS)],
      }),
    );
    expect(report).toEqual({
      kind: 'dsn',
      recipients: [
        { address: 'bob@example.org', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown' },
        { address: 'carol@example.org', action: 'delayed', status: '4.2.2', diagnostic: null },
      ],
      permanent: true,
      originalMessageId: 'orig-1@helpdesk.example',
      reason: 'delivery-status:failed',
    });
  });

  it.each(['delayed', 'delivered', 'relayed', 'expanded'])('treats Action: %s as a report that is not permanent', (action) => {
    const report = detectBounce(
      parsedMail({
        contentType: 'multipart/report',
        reportType: 'delivery-status',
        attachments: [attachment('message/delivery-status', `Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; bob@example.org\nAction: ${action}\nStatus: 2.0.0\n`)],
      }),
    );
    expect(report).toMatchObject({ kind: 'dsn', permanent: false, reason: `delivery-status:${action}` });
    expect(report?.recipients[0]).toMatchObject({ address: 'bob@example.org', action });
  });

  it('finds DSN fields in the text when the MIME structure was lost', () => {
    const report = detectBounce(
      parsedMail({
        from: daemon,
        subject: 'Returned mail: see transcript for details',
        contentType: 'message/delivery-status',
        text: `The original message was received\n\n${DSN}\nReturn-Path: <support@helpdesk.example>\n${ORIGINAL_HEADERS}`,
      }),
    );
    expect(report?.recipients.map((r) => r.address)).toEqual(['bob@example.org', 'carol@example.org']);
    expect(report?.originalMessageId).toBe('orig-1@helpdesk.example');
  });

  it('recognises RFC 5965 feedback reports and RFC 8098 read receipts as reports', () => {
    const arf = detectBounce(
      parsedMail({
        contentType: 'multipart/report',
        reportType: 'feedback-report',
        attachments: [
          attachment('message/feedback-report', 'Feedback-Type: abuse\r\nUser-Agent: x\r\nVersion: 1\r\nOriginal-Rcpt-To: <bob@example.org>\r\n'),
          attachment('message/rfc822', `${ORIGINAL_HEADERS}\r\nbody`),
        ],
      }),
    );
    expect(arf).toMatchObject({ kind: 'dsn', permanent: false, reason: 'feedback-report', originalMessageId: 'orig-1@helpdesk.example' });
    expect(arf?.recipients).toEqual([{ address: 'bob@example.org', action: null, status: null, diagnostic: 'abuse' }]);
    const mdn = detectBounce(parsedMail({ contentType: 'multipart/report', reportType: 'disposition-notification' }));
    expect(mdn).toMatchObject({ kind: 'dsn', permanent: false, reason: 'disposition-notification' });
  });
});

describe('detectBounce: plain-text bounces', () => {
  it('reads a qmail bounce', () => {
    const report = detectBounce(
      parsedMail({
        from: { address: 'MAILER-DAEMON@mx.example.net', name: null },
        returnPath: '',
        subject: 'failure notice',
        to: [{ address: 'support@helpdesk.example', name: null }],
        text: [
          'Hi. This is the qmail-send program at mx.example.net.',
          "I'm afraid I wasn't able to deliver your message to the following addresses.",
          "This is a permanent error; I've given up. Sorry it didn't work out.",
          '',
          '<bob@example.org>:',
          'Remote host said: 550 5.1.1 <bob@example.org>... User unknown',
          '',
          '--- Below this line is a copy of the message.',
          '',
          ORIGINAL_HEADERS,
        ].join('\n'),
      }),
    );
    expect(report).toEqual({
      kind: 'plain',
      recipients: [{ address: 'bob@example.org', action: 'failed', status: '5.1.1', diagnostic: 'Remote host said: 550 5.1.1 <bob@example.org>... User unknown' }],
      permanent: true,
      originalMessageId: 'orig-1@helpdesk.example',
      reason: 'mailer-daemon',
    });
  });

  it('trusts X-Failed-Recipients (Exim) and reads a delay warning as not permanent', () => {
    const report = detectBounce(
      parsedMail({
        from: { address: 'Mailer-Daemon@mx.example.net', name: 'Mail Delivery System' },
        subject: 'Warning: message 1abc delayed 24 hours',
        headers: { 'x-failed-recipients': ['bob@example.org, carol@example.org'] },
        text: 'This message was created automatically by mail delivery software.\nA message that you sent has not yet been delivered to one or more of its recipients after more than 24 hours on the queue. No action is required on your part. Delivery attempts will continue.',
      }),
    );
    expect(report).toMatchObject({ kind: 'plain', permanent: false, reason: 'x-failed-recipients' });
    expect(report?.recipients.map((r) => [r.address, r.action])).toEqual([
      ['bob@example.org', 'delayed'],
      ['carol@example.org', 'delayed'],
    ]);
  });

  it('reads an Exchange NDR and takes the original id from In-Reply-To when nothing is quoted', () => {
    const report = detectBounce(
      parsedMail({
        from: { address: 'postmaster@corp.example', name: 'Microsoft Outlook' },
        subject: 'Undeliverable: Re: order',
        inReplyTo: ['orig-2@helpdesk.example'],
        text: "Delivery has failed to these recipients or groups:\n\nbob@corp.example\nThe email address you entered couldn't be found.\n\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound'",
      }),
    );
    expect(report).toMatchObject({ kind: 'plain', permanent: true, originalMessageId: 'orig-2@helpdesk.example' });
    expect(report?.recipients[0]).toMatchObject({ address: 'bob@corp.example', status: '5.1.10' });
  });

  it('recognises a null-sender failure notice without a daemon address', () => {
    const report = detectBounce(
      parsedMail({
        from: { address: 'system@mail.example', name: null },
        returnPath: '',
        subject: 'Delivery Status Notification (Failure)',
        text: "Your message couldn't be delivered to carol@example.org because the address couldn't be found.",
      }),
    );
    expect(report).toMatchObject({ reason: 'null-sender-failure', recipients: [{ address: 'carol@example.org' }] });
  });

  it('reads Amazon SES notifications sent through SNS', () => {
    const report = detectBounce(
      parsedMail({
        from: { address: 'no-reply@sns.amazonaws.com', name: 'SES' },
        subject: 'AWS Notification Message',
        headers: { 'x-amz-sns-message-id': ['1'] },
        text: '{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"bob@example.org","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}]}}',
      }),
    );
    expect(report).toMatchObject({ permanent: true, reason: 'ses-notification:bounce' });
    expect(report?.recipients).toEqual([{ address: 'bob@example.org', action: 'failed', status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 user unknown' }]);
  });

  it('recognises RFC 3834 auto-replies as reports that are not failures', () => {
    const report = detectBounce(parsedMail({ subject: 'Out of office', headers: { 'auto-submitted': ['auto-replied'] } }));
    expect(report).toMatchObject({ kind: 'plain', permanent: false, reason: 'auto-reply', recipients: [{ address: 'jane@example.com' }] });
    const exchange = parsedMail({ subject: 'Automatic reply: Re: order', headers: { 'x-auto-response-suppress': ['All'] } });
    expect(detectBounce(exchange)?.reason).toBe('auto-reply');
  });

  it('marks a bounce a person forwarded whole with its own reason', () => {
    const report = detectBounce(
      parsedMail({
        subject: 'Fwd: Returned mail: see transcript for details',
        text: 'Forward the message.\n\n> From: Mail Delivery Subsystem <MAILER-DAEMON>\n> Subject: Returned mail\n>\n>    ----- The following addresses had permanent fatal errors -----\n> <bob@example.org>\n>\n> Final-Recipient: RFC822; bob@example.org\n> Action: failed\n> Status: 5.1.1\n',
      }),
    );
    expect(report).toMatchObject({ kind: 'plain', reason: 'forwarded-bounce', permanent: false, recipients: [{ address: 'bob@example.org', status: '5.1.1' }] });
  });
});

describe('detectBounce: mail people write', () => {
  it.each([
    ['an ordinary question', parsedMail()],
    ['a question about a bounce, in the customer\'s words', parsedMail({ subject: 'Why was my mail undeliverable?', text: 'I got a message saying delivery has failed to these recipients. Can you help?' })],
    ['a forward of an ordinary message', parsedMail({ subject: 'Fwd: invoice', attachments: [attachment('message/rfc822', ORIGINAL_HEADERS)] })],
    ['a newsletter from a no-reply sender', parsedMail({ from: { address: 'no-reply@shop.example', name: null }, subject: 'Our summer sale', headers: { 'list-id': ['<news.shop.example>'] } })],
    ['a message with a null Return-Path but nothing else', parsedMail({ returnPath: '', subject: 'Hello' })],
    ['a person\'s subject that looks like an auto-reply', parsedMail({ subject: 'Out of office: the portal is down' })],
  ])('returns null for %s', (_label, mail) => {
    expect(detectBounce(mail)).toBeNull();
  });
});

describe('detectBounce: hostile input', () => {
  it.each([
    ['one huge token', 'a'.repeat(200_000) + '@' + 'b'.repeat(200_000)],
    ['a line of dashes', '-'.repeat(400_000)],
    ['blank lines of spaces', `${' '.repeat(1000)}\n`.repeat(400)],
    ['thousands of addresses', 'a@b.example '.repeat(50_000)],
  ])('stays fast on %s', (_label, text) => {
    const started = performance.now();
    detectBounce(parsedMail({ from: { address: 'MAILER-DAEMON@mx.example', name: null }, subject: 'Undelivered Mail', text, attachments: [attachment('message/rfc822', text)] }));
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe('detectBounce: an out-of-office reply was filed as a delivery failure', () => {
  const signs: Array<[string, Partial<Parameters<typeof parsedMail>[0]>]> = [
    ['Auto-Submitted: auto-generated', { headers: { 'auto-submitted': ['auto-generated'] } }],
    ['X-Auto-Response-Suppress', { headers: { 'x-auto-response-suppress': ['All'] } }],
    ['a null sender', { returnPath: '' }],
    ['Precedence: bulk', { headers: { precedence: ['bulk'] } }],
  ];
  it.each([
    'Automatic reply: Re: order [#7]',
    'Out of Office AutoReply: Re: order',
    'Automatische Antwort: AW: Bestellung',
    'Absence du bureau : Re: commande',
    'Absence : Re: commande',
    'Réponse automatique : Re: commande',
    'RÉPONSE AUTOMATIQUE: Re: commande',
    'Risposta automatica: R: ordine',
  ])('%s with a sign that software sent it is an automatic reply', (subject) => {
    for (const [, sign] of signs) {
      const report = detectBounce(parsedMail({ subject, ...sign }));
      expect(report?.reason).toBe('auto-reply');
      expect(isAutoReplyReport(report!)).toBe(true);
    }
  });

  it('X-Autoreply and Precedence: auto_reply mark one whatever the subject', () => {
    expect(detectBounce(parsedMail({ subject: 'Re: order', headers: { 'x-autoreply': ['yes'] } }))?.reason).toBe('auto-reply');
    expect(detectBounce(parsedMail({ subject: 'Re: order', headers: { precedence: ['auto_reply'] } }))?.reason).toBe('auto-reply');
  });

  it('a vacation notice from the null sender saying "I\'m afraid" is no failure report', () => {
    const mail = parsedMail({ subject: 'Automatic reply: Re: order', returnPath: '', headers: { 'x-auto-response-suppress': ['All'] }, text: "I'm afraid I am out of the office until Monday." });
    expect(detectBounce(mail)).toMatchObject({ reason: 'auto-reply', permanent: false });
  });

  it('a person writing about an absence is not one', () => {
    expect(detectBounce(parsedMail({ subject: 'Absence: I will be away next week' }))).toBeNull();
    expect(detectBounce(parsedMail({ subject: 'Absence next week', headers: { 'auto-submitted': ['no'] } }))).toBeNull();
  });

  it('a real DSN stays a bounce even under Auto-Submitted: auto-replied', () => {
    const report = detectBounce(
      parsedMail({
        from: daemon,
        returnPath: '',
        subject: 'Undelivered Mail Returned to Sender',
        headers: { 'auto-submitted': ['auto-replied'] },
        contentType: 'multipart/report',
        reportType: 'delivery-status',
        attachments: [attachment('message/delivery-status', DSN), attachment('text/rfc822-headers', ORIGINAL_HEADERS)],
      }),
    );
    expect(report?.reason).toBe('delivery-status:failed');
    expect(isAutoReplyReport(report!)).toBe(false);
  });
});
