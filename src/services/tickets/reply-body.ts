import { AppError } from '../../domain/errors.js';
import { htmlToText as roughText } from '../../domain/reply-text.js';
import { checkReplyBody } from '../../domain/ticket.js';

/** What turning an agent's reply into its stored and sent parts needs (both passed in by the composition root). */
export interface ReplyBodyDeps {
  /**
   * Cleans the agent's HTML under the rules of customer mail (null: too complex to show safely).
   * Without it no HTML is sent or stored: the reply goes out as text.
   */
  sanitizeHtml?: (html: string) => string | null | Promise<string | null>;
  /** The plain-text version of clean HTML (src/mail/html-text.ts): links as `text [url]`, lists, `> ` quotes. */
  htmlToText?: (html: string) => string;
}

/** The parts of a reply as they are stored and sent: the text always, the sanitized HTML or null. */
export interface ReplyBody {
  text: string;
  html: string | null;
}

/** Whether cleaned HTML shows anything: some text, or an image. */
function showsSomething(html: string): boolean {
  if (/<img\b/i.test(html)) return true;
  return html.replace(/<[^>]*>/g, '').replace(/&nbsp;|&#160;|\s/gi, '') !== '';
}

/**
 * The reply's text and HTML parts. The agent's HTML is sanitized here, and only the sanitized HTML is
 * stored or sent (never the raw HTML). The text is the agent's own text when it holds something, else
 * the plain-text version of the sanitized HTML, so every HTML mail has a text/plain alternative.
 * VALIDATION_FAILED when the HTML is too complex to show safely and there is no text, or when
 * nothing is left to send.
 */
export async function replyBody(deps: ReplyBodyDeps, input: { text: string; html?: string | null }): Promise<ReplyBody> {
  const raw = input.html?.trim() ? input.html : null;
  const clean = raw && deps.sanitizeHtml ? await deps.sanitizeHtml(raw) : null;
  if (raw && deps.sanitizeHtml && clean === null && !input.text.trim()) {
    throw new AppError('VALIDATION_FAILED', 'Reply is invalid: html: is too complex to show safely; send text as well', { details: { issues: [{ path: 'html', message: 'is too complex to show safely; send text as well' }] } });
  }
  const html = clean && showsSomething(clean) ? clean : null;
  const toText = deps.htmlToText ?? ((h: string) => roughText(h).trim());
  const text = input.text.trim() ? input.text : html ? toText(html) : '';
  checkReplyBody(text, html);
  return { text, html };
}
