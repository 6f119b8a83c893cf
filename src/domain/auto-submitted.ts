import type { ParsedMail } from './mail.js';

/** RFC 3834 §3.1.8 / Exchange's X-Auto-Response-Suppress values that ask us not to respond. */
const SUPPRESS_TOKENS = new Set(['all', 'oof', 'autoreply', 'dr', 'rn', 'nrn']);

const PRECEDENCE = new Set(['bulk', 'list', 'junk', 'auto_reply']);

/** Vendor headers that only auto-responders add. */
const AUTO_REPLY_HEADERS = ['x-autoreply', 'x-autorespond', 'x-auto-reply-from', 'x-ms-exchange-generated-message-source'];

/**
 * Local parts (split at `-`, `_`, `.`, `+`) of mailboxes that send only automated mail, and the
 * name each maps to in the reason string.
 */
const SENDER_TOKENS: Array<[RegExp, string]> = [
  [/(?:^|[-_.+])mailer[-_.]?daemon(?:$|[-_.+])/, 'mailer-daemon'],
  [/(?:^|[-_.+])postmaster(?:$|[-_.+])/, 'postmaster'],
  [/(?:^|[-_.+])no[-_.]?reply(?:$|[-_.+])/, 'noreply'],
  [/(?:^|[-_.+])do[-_.]?not[-_.]?reply(?:$|[-_.+])/, 'donotreply'],
  [/(?:^|[-_.+])bounces?(?:$|[-_.+])/, 'bounce'],
  [/(?:^|[-_.+])notifications?(?:$|[-_.+])/, 'notification'],
  [/(?:^|[-_.+])auto[-_.]?reply(?:$|[-_.+])/, 'autoreply'],
];

function values(mail: ParsedMail, name: string): string[] {
  return mail.headers[name] ?? [];
}

/** The local part of an address, lower-case; '' when there is none. */
function localPart(address: string | null | undefined): string {
  if (!address) return '';
  const at = address.lastIndexOf('@');
  return (at < 0 ? address : address.slice(0, at)).trim().toLowerCase();
}

/**
 * Why a message was sent by software and must never get an auto-reply (RFC 3834 §2), as a short
 * machine-readable reason such as `auto-submitted:auto-replied`, `precedence:bulk`,
 * `list-header:list-id`, `x-auto-response-suppress:oof`, `x-loop`, `null-return-path`,
 * `multipart-report` or `sender:noreply`; null for mail a person wrote. A Feedback-ID or other ESP
 * header alone does not count: people write to support through ESP-backed mail services too.
 */
export function autoSubmittedReason(mail: ParsedMail): string | null {
  for (const value of values(mail, 'auto-submitted')) {
    // RFC 3834 §5: `no` is the only value for mail a person sent; parameters follow a `;`.
    const keyword = value.split(';')[0]?.replace(/\([^)]*\)/g, '').trim().toLowerCase() ?? '';
    if (keyword !== '' && keyword !== 'no') return `auto-submitted:${keyword}`;
  }

  for (const value of values(mail, 'precedence')) {
    const keyword = value.trim().toLowerCase();
    if (PRECEDENCE.has(keyword)) return `precedence:${keyword}`;
  }

  // RFC 2369 / RFC 2919: any List-* header means a list distributed this copy.
  const listHeaders = Object.keys(mail.headers).filter((name) => name.startsWith('list-'));
  if (listHeaders.length > 0) return `list-header:${listHeaders.includes('list-id') ? 'list-id' : listHeaders.sort()[0]}`;

  for (const value of values(mail, 'x-auto-response-suppress')) {
    const token = value
      .toLowerCase()
      .split(/[\s,;]+/)
      .find((t) => SUPPRESS_TOKENS.has(t));
    if (token) return `x-auto-response-suppress:${token}`;
  }

  const vendor = AUTO_REPLY_HEADERS.find((name) => values(mail, name).length > 0);
  if (vendor) return `header:${vendor}`;

  if (values(mail, 'x-loop').length > 0) return 'x-loop';
  if (mail.returnPath === '') return 'null-return-path';
  if (mail.contentType === 'multipart/report') return 'multipart-report';

  for (const address of [mail.from?.address, mail.sender?.address, mail.returnPath]) {
    const local = localPart(address);
    const match = SENDER_TOKENS.find(([re]) => re.test(local));
    if (match) return `sender:${match[1]}`;
  }
  // `From: MAILER-DAEMON` without a domain does not parse as an address (sisimai lhost-x6-01).
  for (const raw of [...values(mail, 'from'), ...values(mail, 'sender')]) {
    if (/\bmailer[-_.]?daemon\b/i.test(raw)) return 'sender:mailer-daemon';
  }
  return null;
}
