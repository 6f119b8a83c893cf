/** Builds a raw RFC 5322 message (CRLF) for tests; headers given as extra lines are added verbatim. */
export function rawMail(opts: {
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string[];
  date?: string;
  body?: string;
  headers?: string[];
}): Buffer {
  const lines = [
    `From: ${opts.from ?? 'Ann Customer <ann@customer.test>'}`,
    `To: ${opts.to ?? 'support@example.test'}`,
    ...(opts.cc ? [`Cc: ${opts.cc}`] : []),
    `Subject: ${opts.subject ?? 'Printer is on fire'}`,
    `Date: ${opts.date ?? new Date().toUTCString()}`,
    ...(opts.messageId === null ? [] : [`Message-ID: <${opts.messageId ?? `${Math.random().toString(36).slice(2)}@customer.test`}>`]),
    ...(opts.inReplyTo ? [`In-Reply-To: <${opts.inReplyTo}>`] : []),
    ...(opts.references?.length ? [`References: ${opts.references.map((r) => `<${r}>`).join(' ')}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...(opts.headers ?? []),
    '',
    opts.body ?? 'Hello, it does not work.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

/**
 * A delivery failure report (RFC 3464 multipart/report) from a mailer daemon, saying the mail with
 * `originalMessageId` could not be delivered to gone@customer.test (5.1.1).
 */
export function deliveryFailureReport(opts: { messageId: string; originalMessageId: string; date: string; originalSubject?: string }): Buffer {
  return Buffer.from(
    [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.test>',
      'To: support@example.test',
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <${opts.messageId}>`,
      `Date: ${opts.date}`,
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'I could not deliver your message.',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.test',
      '',
      'Final-Recipient: rfc822; gone@customer.test',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
      '',
      '--B',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: <${opts.originalMessageId}>`,
      'To: gone@customer.test',
      ...(opts.originalSubject ? [`Subject: ${opts.originalSubject}`] : []),
      '',
      '--B--',
      '',
    ].join('\r\n'),
  );
}
