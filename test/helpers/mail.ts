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
