import { createHash } from 'node:crypto';
import { parseHeaderBlock } from './mail-headers.js';

/**
 * Headers added on the way to each mailbox (RFC 5321 §4.4 trace fields and their vendor cousins).
 * They differ between two deliveries of one mail, so the content hash leaves them out.
 */
const TRACE = /^(received|return-path|delivered-to|x-original-to|x-received|x-delivered-to|envelope-to|x-envelope-to|arc-.*|authentication-results|received-spf|x-spam-.*|x-virus-.*|x-ms-exchange-organization-.*|x-forefront-.*|x-microsoft-antispam.*|x-gm-.*|x-google-smtp-source|x-rspamd-.*|dkim-filter|status|x-status|x-keywords|x-uid|lines|content-length)$/;

function bodyStart(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return raw.length;
  if (crlf === -1) return lf + 2;
  if (lf === -1) return crlf + 4;
  return Math.min(crlf + 4, lf + 2);
}

/**
 * A hash of the mail's content that is the same for every delivery of one mail: the author's headers
 * (trace headers dropped, folding and line ends normalised) and the body with line ends normalised.
 */
export function contentHashOf(raw: Buffer): string {
  const split = bodyStart(raw);
  const fields = parseHeaderBlock(raw.subarray(0, split).toString('latin1')).filter((f) => !TRACE.test(f.name));
  const hash = createHash('sha256');
  for (const f of fields) hash.update(`${f.name}:${f.value.replace(/\s+/g, ' ').trim()}\n`);
  hash.update('\n');
  hash.update(raw.subarray(split).toString('latin1').replace(/\r\n?/g, '\n').replace(/\s+$/, ''));
  return hash.digest('hex');
}

/**
 * The dedupe key of a received mail: Message-ID plus content hash. The hash alone decides for mail
 * without a Message-ID; the pair keeps apart two different mails that reuse one id (broken mailers do).
 */
export function dedupeKeyFor(messageId: string | null, contentHash: string): string {
  return `${messageId?.toLowerCase() ?? ''}|${contentHash}`;
}
