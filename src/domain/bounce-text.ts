/**
 * Reading non-standard (plain-text) bounces: the phrases MTAs use, where the returned message
 * starts, and which addresses in the prose are the failed recipients. Pure string work.
 */

/** Mailbox names and display names that only delivery software uses. */
export const DAEMON_SENDER =
  /(?:^|[\s<"'(])(?:mailer[-_.]?daemon|mail[-_.]?daemon|postmaster|post[-_]master|poostmaster|mail delivery (?:subsystem|system|service)|mail administrator|microsoftexchange[0-9a-f]{32}|mmsc ndr administrator)(?:$|[\s@>"')])/i;

/** Subjects of delivery failure and delay notices in the formats MTAs and providers generate. */
export const BOUNCE_SUBJECT = new RegExp(
  [
    'undeliver(?:ed|able)',
    'non[- ]?deliver',
    'not (?:be )?delivered',
    'could not (?:be )?deliver',
    'unable to deliver',
    'delivery (?:status notification|failure|failed|has failed|problem|notification|report|error|incomplete)',
    'delivery status',
    'mail delivery failed',
    'returned mail',
    'returning message',
    'failure (?:notice|delivery)',
    'mail failed',
    'returning to sender',
    'mail (?:system )?error',
    'mail failure',
    'failed delivery',
    'error sending your mail',
    'warning: could not send',
    'message delayed',
    'delayed mail',
    'message (?:not|could not be) (?:sent|delivered)',
    'rejected:',
    '\\bbounced?\\b',
    'メールエラー',
    '配信(?:エラー|不能|失敗)',
    'not a member',
    'are not member',
    'loop alert',
  ].join('|'),
  'i',
);

/** Sentences from the human-readable part of bounces (postfix, exim, sendmail, qmail, Exchange, Gmail, ...). */
export const BOUNCE_BODY = new RegExp(
  [
    'this is the mail system at host',
    'could not be delivered to one or more',
    "message could not be delivered",
    "wasn't able to deliver your message",
    'was not able to deliver',
    'unable to deliver',
    'failed addresses follow',
    'created automatically by mail delivery software',
    'the following address(?:\\(es\\)|es)? (?:had permanent fatal errors|failed)',
    'permanent fatal errors',
    'delivery to the following recipients? (?:failed|has been delayed|was delayed)',
    'delivery has failed to these recipients',
    'did not reach the following recipient',
    'your message did not reach some or all',
    '(?:could|can) ?not be delivered',
    'could not deliver (?:the |your )?(?:message|mail)',
    'message (?:was )?(?:not|undeliverable)',
    'delivery (?:to the following|status notification|failed)',
    'transcript of session follows',
    'qmail-send program',
    'this is a permanent error',
    'permanent (?:error|failure)',
    'temporary (?:error|failure)',
    "i'm afraid",
    'user unknown',
    'mailbox (?:is )?(?:full|unavailable|not found|does not exist)',
    'no such (?:user|mailbox|recipient)',
    'recipient (?:address )?rejected',
    'invalid (?:user|recipient)',
    'trouble delivering your message',
    'has not yet been delivered',
    'will (?:continue to )?retry',
    'returned (?:to sender|mail)',
    '送信できませんでした',
    '配信できませんでした',
    '送信に失敗',
    'not a member of this mailing list',
    'duplicated message-id',
  ].join('|'),
  'i',
);

/** Phrases of delay warnings and other non-final reports. */
const TEMPORARY = /\b(?:delay(?:ed)?|will (?:be )?retr(?:y|ied)|still trying|warning: could not send|has not (?:yet )?been delivered|temporar(?:y|ily)|deferred|this is a warning|no action is required)\b/i;
const PERMANENT = /\b(?:permanent(?:ly)?|fatal|given up|failed permanently|user unknown|no such user|does not exist)\b/i;

/** Lines after which bounces quote the returned message (its headers, then body). */
const ORIGINAL_MARKER = new RegExp(
  [
    '^[- ]*this is a copy of (?:the|your) message',
    '^[- ]*below this line is a copy',
    '^-+ ?original message',
    '^original message\\s*:',
    '^[- ]*(?:the )?original (?:mail|message) (?:headers|info|follows|as follows|text)\\b',
    '^[- |]*message text follows',
    '^[- ]*(?:returned|undelivered|unsent) (?:mail|message)',
    '^[- ]*(?:message|mail) headers? follows?',
    '^[- ]*header of (?:the )?original',
    '^[- ]*(?:the )?text of the message',
    '^[ \\t]*(?:return-path|received|dkim-signature|x-received)[ \\t]*:',
  ].join('|'),
  'im',
);

const ADDRESS = /[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+/g;
const STATUS = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;
const FAILURE_STATUS = /\b([45])\.(\d{1,3})\.(\d{1,3})\b/;
const SMTP_REPLY = /\b[45]\d\d[- ]/;

/** A 4.x.x or 5.x.x status: SMTP transcripts in bounces also quote the 2.x.x of accepted commands. */
function failureStatus(text: string): string | null {
  const m = FAILURE_STATUS.exec(text);
  return m ? `${m[1]}.${m[2]}.${m[3]}` : null;
}

const MAX_ANALYSED = 256 * 1024;

/**
 * The text the patterns here may run on: at most 256 KiB, and no run of more than 320 characters
 * without whitespace (addresses and ids are shorter). Address patterns backtrack on long tokens;
 * bounding the token keeps every search close to linear on hostile input.
 */
export function analysable(text: string): string {
  return text.slice(0, MAX_ANALYSED).replace(/\S{320}/g, '$& ');
}

/** The explanatory part of a bounce: its text before the quoted original message. */
export function diagnosticSection(text: string): string {
  const m = ORIGINAL_MARKER.exec(text);
  return m ? text.slice(0, m.index) : text;
}

/** True when the wording says the report is a delay warning rather than a final failure. */
export function soundsTemporary(text: string): boolean {
  return TEMPORARY.test(text) && !PERMANENT.test(text);
}

/** An RFC 3463 status code found in the text, e.g. `5.1.1`, or null. */
export function findStatus(text: string): string | null {
  const m = STATUS.exec(text);
  return m ? `${m[1]}.${m[2]}.${m[3]}` : null;
}

/** Lower-cased, trimmed address, or null when it is not one. */
export function cleanAddress(value: string | null | undefined): string | null {
  if (!value) return null;
  const m = (value.match(ADDRESS) ?? [])[0];
  return m ? m.replace(/^[.'`]+|[.'`]+$/g, '').toLowerCase() : null;
}

/** Every address in a text, lower-cased, in order, without duplicates. */
export function addressesIn(text: string): string[] {
  return [...new Set((text.match(ADDRESS) ?? []).map((a) => a.replace(/^[.'`]+|[.'`]+$/g, '').toLowerCase()))];
}

const DOMAIN = '@[A-Za-z0-9.-]*[A-Za-z0-9])(?![\\w-]|\\.[\\w-])';
const A = `([^<>\\s,;:()\\[\\]"]+${DOMAIN}`;
/** As A, but not starting with a character the line prefix takes (keeps the match linear). */
const A_AFTER_PREFIX = `([^<>\\s,;:()\\[\\]"*>-][^<>\\s,;:()\\[\\]"]*${DOMAIN}`;

/** Where the plain-text formats name the failed recipient; `A` captures the address. */
const RECIPIENT_LINES: RegExp[] = [
  // qmail, postfix, yahoo `<user@host>:`; exim, sendmail, gmail, exchange: address first on a line
  new RegExp(`^[ \\t*>-]*<?${A_AFTER_PREFIX}>?(?:[ \\t:.]|$)`, 'gm'),
  new RegExp(`\\bRCPT TO:\\s*<?${A}>?(?:[\\s.,;:]|$)`, 'gim'),
  new RegExp(
    `\\b(?:recipients?|address(?:es)?|rcpt|destinataire|delivery failed|failed|undeliverable(?: to)?|(?:delivered|sent|deliver(?:ing)? (?:your|the) (?:mail|message)) to)\\b[^:<\\n]{0,60}[:\\s]\\s*<?${A}>?(?:[\\s.,;:\\]]|$)`,
    'gim',
  ),
  new RegExp(`(?<!from):\\s*<${A}>\\s*$`, 'gim'), // `User's mailbox is full: <user@host>`
  new RegExp(`<${A}>\\.\\.\\.`, 'g'), // sendmail: `<user@host>... User unknown`
];

/**
 * Failed recipients named in a plain-text bounce, best candidates first. `exclude` holds the
 * addresses of the bounce itself and of the original sender, which also appear in the prose.
 */
export function plainRecipients(diagnostic: string, exclude: ReadonlySet<string>): string[] {
  const found: Array<{ at: number; address: string }> = [];
  for (const re of RECIPIENT_LINES) {
    for (const m of diagnostic.matchAll(re)) {
      const address = cleanAddress(m[1]);
      if (address) found.push({ at: m.index ?? 0, address });
    }
  }
  found.sort((a, b) => a.at - b.at);
  const out = new Set<string>();
  for (const { address } of found) {
    if (!exclude.has(address) && !isDaemonAddress(address)) out.add(address);
  }
  return [...out];
}

/** True for the mailboxes of delivery software (postmaster@, mailer-daemon@, ...). */
export function isDaemonAddress(address: string): boolean {
  return DAEMON_SENDER.test(address.split('@')[0] ?? '');
}

/** The line of the diagnostic that explains the failure for one recipient, plus its status code. */
export function recipientDetails(diagnostic: string, address: string | null): { status: string | null; diagnostic: string | null } {
  const lines = diagnostic.split('\n');
  let start = address ? lines.findIndex((l) => l.toLowerCase().includes(address)) : -1;
  if (start < 0) start = 0;
  const window = lines.slice(start, start + 6);
  const isFailure = (l: string): boolean => SMTP_REPLY.test(l) || FAILURE_STATUS.test(l);
  const smtpLine = window.find(isFailure) ?? lines.find(isFailure);
  const status = failureStatus(window.join('\n')) ?? failureStatus(diagnostic);
  const text = smtpLine?.replace(/\s+/g, ' ').trim() ?? null;
  return { status, diagnostic: text ? text.slice(0, 500) : null };
}
