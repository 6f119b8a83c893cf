import MailComposer from 'nodemailer/lib/mail-composer';
import { AppError } from '../domain/errors.js';
import { isValidMessageId } from '../domain/mail-headers.js';
import type { MailboxAddress, OutgoingMail } from '../services/ports.js';

/** What {@link composeMessage} turns into bytes (the use cases' `ComposeMail` port). */
export type ComposeInput = OutgoingMail;

/** RFC 7230 token characters: a safe subset of RFC 5322 ftext for field names. */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
const CONTROL_RUN = /[\x00-\x1f\x7f]+/g;
const MAILBOX = /^[^\s<>()\\,;:"@\p{Cc}]+@[^\s<>()\\,;:"@\p{Cc}]+$/u;

/** Fields the composer writes itself or that shape the MIME structure; an extra header may not override them. */
const RESERVED = new Set([
  'from', 'sender', 'to', 'cc', 'bcc', 'reply-to', 'subject', 'date', 'message-id', 'in-reply-to', 'references',
  'mime-version', 'content-type', 'content-transfer-encoding', 'content-disposition', 'return-path',
]);

function invalid(message: string, details: Record<string, unknown>): AppError {
  return new AppError('VALIDATION_FAILED', message, { details });
}

function checkText(field: string, value: string): void {
  if (CONTROL.test(value)) throw invalid(`${field} contains a line break or control character`, { field });
}

/**
 * Subjects and display names are often the customer's own text (sisimai has NULs in subjects):
 * a control character there is noise, not an attack on us, so it becomes a space instead of
 * failing the whole reply. It can never end the header field.
 */
function oneLine(value: string): string {
  return value.replace(CONTROL_RUN, ' ').trim();
}

function messageId(field: string, id: string): string {
  const bare = id.trim().replace(/^<(.*)>$/, '$1');
  if (!isValidMessageId(bare)) throw invalid(`${field} is not a message id: ${JSON.stringify(id)}`, { field });
  return `<${bare}>`;
}

function addresses(field: string, list: MailboxAddress[] | undefined): Array<{ address: string; name?: string }> {
  return (list ?? []).map((a) => {
    if (!MAILBOX.test(a.address)) throw invalid(`${field} has an invalid address: ${JSON.stringify(a.address)}`, { field });
    const name = a.name ? oneLine(a.name) : '';
    return name ? { address: a.address, name } : { address: a.address };
  });
}

function extraHeaders(headers: Record<string, string>): Array<{ key: string; value: string }> {
  return Object.entries(headers).map(([key, value]) => {
    if (!FIELD_NAME.test(key)) throw invalid(`header name ${JSON.stringify(key)} is not a token`, { header: key });
    if (RESERVED.has(key.toLowerCase())) throw invalid(`header ${key} is set by the composer`, { header: key });
    // A CR or LF would end the field and let the value start a header of its own (injection).
    checkText(`header ${key}`, value);
    return { key, value };
  });
}

/**
 * Builds an RFC 5322 message with CRLF line ends: the given Message-ID, Date, In-Reply-To and
 * References (bracketed, space-separated), the extra headers, UTF-8 subject and display names as
 * RFC 2047 encoded words, bodies in quoted-printable or base64 as MailComposer sees fit. Line
 * breaks and control characters in the subject and display names become spaces. Throws AppError
 * VALIDATION_FAILED for an extra header whose name is not a token or names a field the composer
 * owns, or whose value holds a CR, LF or other control character, and for a malformed address or
 * message id.
 */
export async function composeMessage(input: ComposeInput): Promise<Buffer> {
  if (input.to.length === 0) throw invalid('a message needs at least one To address', { field: 'to' });
  if (Number.isNaN(input.date.getTime())) throw invalid('date is not a valid date', { field: 'date' });
  const extra = extraHeaders(input.headers ?? {});
  const spelling = new Map(extra.map((h) => [h.key.toLowerCase(), h.key]));
  const [from] = addresses('from', [input.from]);

  const composer = new MailComposer({
    from,
    to: addresses('to', input.to),
    cc: input.cc?.length ? addresses('cc', input.cc) : undefined,
    replyTo: input.replyTo?.length ? addresses('replyTo', input.replyTo) : undefined,
    subject: oneLine(input.subject),
    text: input.text,
    html: input.html ?? undefined,
    messageId: messageId('messageId', input.messageId),
    inReplyTo: input.inReplyTo ? messageId('inReplyTo', input.inReplyTo) : undefined,
    references: input.references?.length ? input.references.map((id) => messageId('references', id)).join(' ') : undefined,
    date: input.date,
    headers: extra,
    attachments: input.attachments?.length ? input.attachments.map((a) => ({ ...(a.filename ? { filename: oneLine(a.filename) } : {}), contentType: a.contentType, content: a.content, ...(a.cid ? { cid: a.cid, contentDisposition: 'inline' as const } : {}) })) : undefined,
    // nodemailer re-cases field names (X-MS-Foo → X-Ms-Foo); put the caller's spelling back.
    normalizeHeaderKey: (key) => spelling.get(key.toLowerCase()) ?? key,
    newline: 'win',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}

/**
 * The SMTP envelope for a message. Automated mail goes out with the null reverse-path `MAIL FROM:<>`
 * (RFC 3834 §3.3, RFC 5321 §4.5.5) so that a bounce of it is never sent back to anyone and can
 * start no loop; a person's reply uses the inbox address so delivery failures reach us.
 */
export function envelopeFor(kind: 'auto' | 'human', from: string, to: string[]): { from: string; to: string[] } {
  return { from: kind === 'auto' ? '' : from, to: [...to] };
}
