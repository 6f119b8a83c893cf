import {
  BOUNCE_BODY,
  BOUNCE_SUBJECT,
  DAEMON_SENDER,
  addressesIn,
  analysable,
  cleanAddress,
  diagnosticSection,
  findStatus,
  plainRecipients,
  recipientDetails,
  soundsTemporary,
} from './bounce-text.js';
import type { MailAttachment, ParsedMail } from './mail.js';
import { extractMessageIds, parseHeaderBlock } from './mail-headers.js';

/** One recipient named in a bounce or delivery report. */
export interface BounceRecipient {
  address: string | null;
  /** RFC 3464 Action (`failed`, `delayed`, `delivered`, `relayed`, `expanded`), lower-case. */
  action: string | null;
  /** RFC 3463 status code such as `5.1.1`. */
  status: string | null;
  diagnostic: string | null;
}

/**
 * A message written by mail software about another message: a delivery report, a bounce, a
 * feedback/read report or an RFC 3834 auto-reply. None of them is a customer request, with one
 * judgement call left to the caller: reason `forwarded-bounce` is a person forwarding a bounce
 * whole (sisimai counts it as a bounce; a helpdesk may want to hear from that person).
 */
export interface BounceReport {
  /** `dsn`: machine-readable report (multipart/report or a delivery-status part); `plain`: prose. */
  kind: 'dsn' | 'plain';
  recipients: BounceRecipient[];
  /** True when delivery failed for good for at least one recipient (not for delays or successes). */
  permanent: boolean;
  /** Message-ID of the message the report is about, without angle brackets. */
  originalMessageId: string | null;
  /** Short machine-readable cause, e.g. `delivery-status:failed`, `mailer-daemon`, `auto-reply`. */
  reason: string;
}

const STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const ORIGINAL_TYPES = new Set([
  'message/rfc822',
  'message/global',
  'text/rfc822-headers',
  'text/rfc822-header',
  'message/rfc822-headers',
  'message/global-headers',
]);
/** Amazon SES event JSON delivered by SNS, possibly as a string escaped inside the SNS envelope. */
const SES_NOTIFICATION = /\\?"notificationType\\?"\s*:\s*\\?"(?:Bounce|Complaint|Delivery)/;
const AUTOMATED_LOCAL_PART = /(?:^|[-_.+])(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?|notifications?)(?:$|[-_.+])/i;
const FORWARD_PREFIX = /^\s*(?:fwd?|fw|tr|wg|enc|rv|i)\s*:/i;
/** Subject prefixes vacation responders put before the subject they answer (Outlook/Exchange in several languages, Sieve defaults). */
const AUTO_REPLY_SUBJECT = new RegExp(
  '^\\s*(?:' +
    [
      'auto(?:matic)?[ -]?(?:reply|response|respons|antwort)',
      'autoreply',
      'out of (?:the )?office(?: auto ?reply)?',
      'automatische antwort',
      'abwesenheitsnotiz',
      'r[ée]ponse automatique',
      'absence(?: du bureau)?',
      'absente? du bureau',
      'respuesta autom[áa]tica',
      'resposta autom[áa]tica',
      'risposta automatica',
      'automatisch antwoord',
      'automatisk svar',
      'autosvar',
    ].join('|') +
    ')\\s*:',
  'i',
);

/** The reason of a report that is an RFC 3834 automatic reply (out of office, vacation), not a delivery failure. */
export const AUTO_REPLY_REASON = 'auto-reply';

/** True when a report is an automatic reply by a person's mailbox (out of office), not a bounce. */
export function isAutoReplyReport(report: BounceReport): boolean {
  return report.reason === AUTO_REPLY_REASON;
}

/**
 * Recognises messages that report on another message and so must never open a ticket or get an
 * auto-reply: RFC 3464 DSNs (and RFC 6522 reports of any type), vendor bounces in prose (Postfix,
 * Exim, Sendmail, qmail, Exchange, Gmail, Yahoo, ...), provider notifications (Amazon SES via SNS),
 * mailing-list manager errors, abuse complaints and RFC 3834 auto-replies. Wording alone never
 * decides: a prose bounce also needs a sign that software sent it (daemon sender, null sender,
 * X-Failed-Recipients, an automated mailbox, list headers), so a customer asking about a bounce
 * is not one. Returns null for anything else.
 */
export function detectBounce(mail: ParsedMail): BounceReport | null {
  const statusParts = mail.attachments.filter((a) => STATUS_TYPES.has(a.contentType));
  const isReport = mail.contentType === 'multipart/report';
  if (statusParts.length > 0 || (isReport && (mail.reportType ?? 'delivery-status').includes('delivery-status'))) {
    return deliveryStatusReport(mail, statusParts);
  }
  if (isReport || mail.attachments.some((a) => a.contentType === 'message/feedback-report' || a.contentType === 'message/disposition-notification')) {
    return otherReport(mail);
  }
  const plain = plainBounceReason(mail);
  if (plain) return plainReport(mail, plain);
  if (isAutoReply(mail)) {
    const address = cleanAddress(mail.from?.address);
    const recipients = address ? [{ address, action: null, status: null, diagnostic: mail.subject || null }] : [];
    return { kind: 'plain', recipients, permanent: false, originalMessageId: originalMessageId(mail, ''), reason: AUTO_REPLY_REASON };
  }
  return null;
}

function header(mail: ParsedMail, name: string): string[] {
  return mail.headers[name] ?? [];
}

/** A part's text, bounded for pattern matching (see {@link analysable}). */
function partText(part: MailAttachment): string {
  return analysable(part.content.toString('utf8', 0, 512 * 1024));
}

function bodyText(mail: ParsedMail): string {
  const inlineText = mail.attachments
    .filter((a) => a.contentType === 'text/plain' && !a.filename)
    .map(partText);
  return analysable([mail.text ?? '', ...inlineText].join('\n'));
}

/**
 * Per-recipient groups of an RFC 3464 §2.3 delivery-status body, or of the same fields found in a
 * text (DSNs whose MIME structure was lost, or quoted in a forward). Groups are blank-line separated.
 */
function dsnRecipients(content: string): BounceRecipient[] {
  const recipients: BounceRecipient[] = [];
  for (const group of content.split(/\r?\n(?:[ \t>]*\r?\n)+/)) {
    const fields = parseHeaderBlock(group.replace(/^[ \t]*>[ \t]?/gm, '').replace(/^\s*\r?\n/, ''));
    const get = (name: string): string | null => fields.find((f) => f.name === name)?.value ?? null;
    const final = get('final-recipient');
    const action = get('action')?.trim().toLowerCase().split(/[\s(;]/)[0] || null;
    const statusField = get('status');
    if (final === null && (get('original-recipient') === null || (action === null && statusField === null))) continue;
    const address = cleanAddress(afterType(final)) ?? cleanAddress(afterType(get('original-recipient')));
    const diagnostic = afterType(get('diagnostic-code'))?.replace(/\s+/g, ' ').trim() || null;
    recipients.push({ address, action, status: statusField ? (findStatus(statusField) ?? statusField.trim()) : null, diagnostic });
  }
  return recipients;
}

/** Fills recipients whose Final-Recipient is not an address (a file, a pipe) from the prose. */
function fillAddresses(mail: ParsedMail, text: string, recipients: BounceRecipient[]): void {
  if (recipients.every((r) => r.address !== null)) return;
  const candidates = fallbackRecipients(mail, text).filter((a) => !recipients.some((r) => r.address === a));
  for (const r of recipients) if (r.address === null) r.address = candidates.shift() ?? null;
}

function deliveryStatusReport(mail: ParsedMail, parts: MailAttachment[]): BounceReport {
  const text = bodyText(mail);
  let recipients = parts.flatMap((p) => dsnRecipients(partText(p)));
  if (recipients.length === 0) recipients = dsnRecipients(text);
  if (recipients.length === 0) {
    for (const address of fallbackRecipients(mail, text)) {
      recipients.push({ address, action: null, ...recipientDetails(diagnosticSection(text), address) });
    }
  }
  fillAddresses(mail, text, recipients);
  const actions = new Set(recipients.map((r) => r.action).filter((a): a is string => a !== null));
  const failed = recipients.some((r) => r.action === 'failed' || (r.action === null && r.status?.startsWith('5')));
  const knownNonFinal = actions.size > 0 && !actions.has('failed') && recipients.every((r) => r.action !== null);
  const permanent = failed || (!knownNonFinal && !soundsTemporary(`${mail.subject}\n${diagnosticSection(text)}`));
  const mainAction = actions.has('failed') ? 'failed' : ([...actions][0] ?? (permanent ? 'failed' : 'unknown'));
  return { kind: 'dsn', recipients, permanent, originalMessageId: originalMessageId(mail, text), reason: `delivery-status:${mainAction}` };
}

/** Feedback (RFC 5965), disposition (RFC 8098) and other RFC 6522 reports. */
function otherReport(mail: ParsedMail): BounceReport {
  const type = mail.reportType ?? (mail.attachments.some((a) => a.contentType === 'message/feedback-report') ? 'feedback-report' : 'disposition-notification');
  const recipients: BounceRecipient[] = [];
  for (const part of mail.attachments.filter((a) => /^message\/(?:feedback-report|disposition-notification|global-disposition-notification)$/.test(a.contentType))) {
    const fields = parseHeaderBlock(partText(part).replace(/\r?\n[ \t]*\r?\n/g, '\n'));
    const get = (name: string): string | null => fields.find((f) => f.name === name)?.value ?? null;
    const address =
      cleanAddress(get('original-rcpt-to')) ?? cleanAddress(afterType(get('final-recipient'))) ?? cleanAddress(afterType(get('original-recipient')));
    const kindField = get('feedback-type') ?? get('disposition');
    if (address || kindField) recipients.push({ address, action: null, status: null, diagnostic: kindField?.trim() ?? null });
  }
  const text = bodyText(mail);
  if (!recipients.some((r) => r.address)) {
    // ARF often leaves out Original-Rcpt-To; the reported message's To names the complainant.
    const address = originalHeaderAddresses(mail, text, ['to'])[0] ?? null;
    if (recipients[0]) recipients[0].address = address;
    else if (address) recipients.push({ address, action: null, status: null, diagnostic: null });
  }
  return { kind: 'dsn', recipients, permanent: false, originalMessageId: originalMessageId(mail, text), reason: type };
}

/** Why a message without a machine-readable report is a bounce, or null. */
function plainBounceReason(mail: ParsedMail): string | null {
  const text = bodyText(mail);
  const diag = diagnosticSection(text);
  const senderText = [
    ...header(mail, 'from'),
    ...header(mail, 'sender'),
    ...[mail.from, mail.sender].flatMap((a) => (a ? [a.address, a.name ?? ''] : [])),
    mail.returnPath ?? '',
  ].join('\n');
  const daemon = DAEMON_SENDER.test(senderText) || header(mail, 'from').some((f) => /<\s*>|^\s*$/.test(f));
  // Something besides the wording says software sent this; a person asking about a bounce has none.
  const machine =
    daemon ||
    mail.returnPath === '' ||
    !mail.from ||
    AUTOMATED_LOCAL_PART.test(mail.from.address.split('@')[0] ?? '') ||
    header(mail, 'auto-submitted').some((v) => !/^\s*no\b/i.test(v)) ||
    header(mail, 'x-mlserver').length > 0 ||
    Object.keys(mail.headers).some((h) => h.startsWith('list-'));
  const forwarded = FORWARD_PREFIX.test(mail.subject);
  const subject = !forwarded && BOUNCE_SUBJECT.test(mail.subject);
  const body = BOUNCE_BODY.test(diag);
  const embedded = mail.attachments.some((a) => ORIGINAL_TYPES.has(a.contentType));

  if (header(mail, 'x-failed-recipients').length > 0) return 'x-failed-recipients';
  if (header(mail, 'x-ms-exchange-message-is-ndr').length > 0) return 'exchange-ndr';
  if (SES_NOTIFICATION.test(text) && header(mail, 'x-amz-sns-message-id').length > 0) {
    return 'ses-notification';
  }
  if (daemon && (subject || body || embedded)) return 'mailer-daemon';
  // Vacation notices go out with the null sender too (RFC 3834 §3.3) and may say "I'm afraid";
  // under an auto-reply subject only bounce wording in the subject makes one a failure report.
  if (mail.returnPath === '' && (subject || (body && !AUTO_REPLY_SUBJECT.test(mail.subject)))) return 'null-sender-failure';
  if (subject && (body || embedded) && machine) return 'bounce-subject';
  if (/^\s*(?:staff|abuse)@/i.test(mail.from?.address ?? '') && /complaint about message/i.test(mail.subject) && embedded) {
    return 'abuse-complaint';
  }
  if (forwarded && isForwardedBounce(text)) return 'forwarded-bounce';
  return null;
}

/**
 * A bounce quoted whole in a forward (sisimai lhost-sendmail-14): the quoted headers come from
 * delivery software and the quoted body carries the bounce's own structure, not just its wording.
 */
function isForwardedBounce(text: string): boolean {
  const quotedDaemon = /^[>\s]*from:.*(?:mailer-daemon|mail delivery (?:subsystem|system)|postmaster)/im.test(text);
  const structure = /^[>\s]*(?:final-recipient|action|status)\s*:|-{3,} ?the following addresses had permanent fatal errors/im.test(text);
  return quotedDaemon && structure;
}

function plainReport(mail: ParsedMail, reason: string): BounceReport {
  const text = bodyText(mail);
  if (reason === 'ses-notification') return sesReport(mail, text);
  const diag = diagnosticSection(text);
  const dsn = dsnRecipients(text);
  const recipients: BounceRecipient[] =
    dsn.length > 0 ? dsn : fallbackRecipients(mail, text).map((address) => ({ address, action: null, ...recipientDetails(diag, address) }));
  fillAddresses(mail, text, recipients);
  const statuses = recipients.map((r) => r.status).filter((s): s is string => s !== null);
  if (reason === 'abuse-complaint' || reason === 'forwarded-bounce') {
    // A complaint is no delivery failure, and a forwarded bounce is hearsay that may be old: neither
    // should mark an address as bouncing.
    return { kind: 'plain', recipients, permanent: false, originalMessageId: originalMessageId(mail, text), reason };
  }
  const permanent =
    recipients.some((r) => r.action === 'failed') ||
    statuses.some((s) => s.startsWith('5')) ||
    (!statuses.some((s) => s.startsWith('4')) && !soundsTemporary(`${mail.subject}\n${diag}`));
  for (const r of recipients) r.action ??= permanent ? 'failed' : 'delayed';
  return { kind: 'plain', recipients, permanent, originalMessageId: originalMessageId(mail, text), reason };
}

/** Amazon SES bounce/complaint/delivery events that SNS mails out as JSON. */
function sesReport(mail: ParsedMail, text: string): BounceReport {
  const json = text.replace(/\\"/g, '"');
  const type = /"notificationType"\s*:\s*"(\w+)"/.exec(json)?.[1]?.toLowerCase() ?? 'bounce';
  const permanent = type === 'bounce' && /"bounceType"\s*:\s*"Permanent"/.test(json);
  const listed = [...json.matchAll(/"emailAddress"\s*:\s*"([^"]+)"/g)].map((m) => m[1]);
  const delivered = /"recipients"\s*:\s*\[([^\]]*)\]/.exec(json)?.[1]?.match(/[^"\s,]+@[^"\s,]+/g) ?? [];
  const addresses = [...new Set([...listed, ...delivered].map((a) => cleanAddress(a)).filter((a): a is string => a !== null))];
  const status = findStatus(json);
  const action = type === 'delivery' ? 'delivered' : type === 'bounce' ? (permanent ? 'failed' : 'delayed') : null;
  const diagnostic = /"diagnosticCode"\s*:\s*"([^"]+)"/.exec(json)?.[1] ?? /"complaintFeedbackType"\s*:\s*"([^"]+)"/.exec(json)?.[1] ?? null;
  return {
    kind: 'plain',
    recipients: addresses.map((address) => ({ address, action, status, diagnostic })),
    permanent,
    originalMessageId: mail.inReplyTo[0] ?? null,
    reason: `ses-notification:${type}`,
  };
}

/** Failed recipients from X-Failed-Recipients, else from the prose, else the returned message's To. */
function fallbackRecipients(mail: ParsedMail, text: string): string[] {
  const failedHeader = header(mail, 'x-failed-recipients').flatMap((v) => addressesIn(analysable(v)));
  if (failedHeader.length > 0) return failedHeader;
  const senders = new Set(originalHeaderAddresses(mail, text, ['from', 'sender', 'return-path']));
  const returnPath = cleanAddress(mail.returnPath);
  if (returnPath) senders.add(returnPath);
  const own = new Set(senders);
  // Message ids look like addresses; the returned message's own id is often quoted near the prose.
  for (const id of [mail.messageId, originalMessageId(mail, text)]) if (id) own.add(id.toLowerCase());
  for (const a of [mail.from, mail.sender, ...mail.to, ...mail.cc, ...mail.replyTo]) {
    const address = cleanAddress(a?.address);
    if (address) own.add(address);
  }
  const diag = diagnosticSection(text);
  // The bounce goes to the original sender, whose address fills the prose too; only when nothing
  // else is named is it the failed recipient (a message sent to oneself, sisimai lhost-qmail-08).
  const found = plainRecipients(diag, own);
  if (found.length > 0) return found.slice(0, 20);
  const toSelf = plainRecipients(diag, senders);
  if (toSelf.length > 0) return toSelf.slice(0, 20);
  return originalHeaderAddresses(mail, text, ['to', 'cc']).filter((a) => !senders.has(a)).slice(0, 20);
}

/** Header blocks of the returned message: attached parts first, then a copy quoted in the text. */
function originalHeaderBlocks(mail: ParsedMail, text: string): string[] {
  const blocks = mail.attachments
    .filter((a) => ORIGINAL_TYPES.has(a.contentType) || (a.contentType === 'text/plain' && /^[\w-]+:/.test(a.content.toString('latin1', 0, 200))))
    .map(partText);
  let quoted = text.slice(diagnosticSection(text).length).replace(/^[ \t]*>?[ \t]*/gm, '');
  if (!/^[\w-]+:/.test(quoted)) quoted = quoted.replace(/^[^\n]*\n/, '');
  quoted = quoted.replace(/^\s+/, '');
  if (quoted) blocks.push(quoted);
  return blocks;
}

function originalHeaderAddresses(mail: ParsedMail, text: string, names: string[]): string[] {
  const out: string[] = [];
  for (const block of originalHeaderBlocks(mail, text)) {
    for (const f of parseHeaderBlock(block)) if (names.includes(f.name)) out.push(...addressesIn(f.value));
  }
  return [...new Set(out)];
}

const QUOTED_MESSAGE_ID = /^[ \t>|]*(?:original-)?message-id\s*:\s*(?:\r?\n[ \t>]*)?(<[^<>\r\n]+>|[^\s<>]+@[^\s<>]+)/gim;

/**
 * Message-ID of the returned message: from an attached message or header part, else a quoted
 * `Message-ID:` line anywhere in the text or the report parts (MIME structure is often damaged,
 * sisimai rhost-franceptt-08), else the ARF prose, else the bounce's own In-Reply-To / References.
 */
function originalMessageId(mail: ParsedMail, text: string): string | null {
  for (const block of originalHeaderBlocks(mail, text)) {
    const ids = extractMessageIds(parseHeaderBlock(block).filter((f) => f.name === 'message-id').map((f) => f.value));
    if (ids[0]) return ids[0];
  }
  const texts = [text, ...mail.attachments.filter((a) => /^(?:text|message)\//.test(a.contentType)).map(partText)];
  for (const t of texts) {
    for (const m of t.matchAll(QUOTED_MESSAGE_ID)) {
      const id = extractMessageIds([m[1] ?? ''])[0];
      if (id) return id;
    }
  }
  const prose = /\bmessage-id of <?([^\s<>]+@[^\s<>]+?)>?\s/i.exec(text);
  const fromProse = prose?.[1] ? extractMessageIds([prose[1]])[0] : undefined;
  if (fromProse) return fromProse;
  return mail.inReplyTo[0] ?? mail.references[mail.references.length - 1] ?? null;
}

/** `rfc822; user@example.com` → `user@example.com` (RFC 3464 address-type / diagnostic-type prefix). */
function afterType(value: string | null): string | null {
  if (value === null) return null;
  const semi = value.indexOf(';');
  return (semi >= 0 ? value.slice(semi + 1) : value).trim();
}

/**
 * RFC 3834 §5 auto-replies and the vendor markers of vacation responders. Exchange marks its
 * "Automatic reply:" only with X-Auto-Response-Suppress, `Auto-Submitted: auto-generated` and a
 * null sender (sisimai rfc3834-02), so the subject counts together with one of those, never alone:
 * "Absence: ..." from a person is a question about an absence.
 */
function isAutoReply(mail: ParsedMail): boolean {
  const autoSubmitted = header(mail, 'auto-submitted').some((v) => /^\s*auto-replied/i.test(v));
  const vendor = ['x-autoreply', 'x-autorespond', 'x-auto-reply-from'].some((h) => header(mail, h).length > 0);
  const apple = header(mail, 'x-apple-action').some((v) => /vacation/i.test(v));
  const precedence = header(mail, 'precedence').some((v) => /^\s*auto_reply/i.test(v));
  const exchange =
    AUTO_REPLY_SUBJECT.test(mail.subject) &&
    (mail.returnPath === '' ||
      ['x-auto-response-suppress', 'x-ms-exchange-inbox-rules-loop', 'x-ms-exchange-generated-message-source'].some((h) => header(mail, h).length > 0) ||
      header(mail, 'auto-submitted').some((v) => !/^\s*no\b/i.test(v)) ||
      header(mail, 'precedence').some((v) => /^\s*(?:bulk|junk)\b/i.test(v)));
  return autoSubmitted || vendor || apple || precedence || exchange;
}
