import type { Types } from 'mongoose';
import { buildQuotedHistory, quotableText, type QuotedHistory } from '../../domain/quoted-history.js';
import type { MessageStore } from '../../store/message-store.js';

/** Writes the line introducing a quoted mail in the customer's language (src/mail/quote-attribution.ts). */
export type QuoteAttributionFn = (p: { locale: string; timeZone?: string | null; date: Date; from: string }) => string;

/** What quoting the customer's previous mail needs. */
export interface ReplyQuoteDeps {
  messages: Pick<MessageStore, 'findQuotable'>;
  /** Without it, replies quote nothing. */
  quoteAttribution?: QuoteAttributionFn;
  /** The zone of the quoted mail's date (the instance's DEFAULT_TIME_ZONE); UTC without one. */
  localeDefaults?: { timeZone: string | null };
}

/**
 * The quote of the customer's latest mail (`parent`: inbound, not automatic) for a reply in
 * `locale`; null when the inbox turned quoting off, there is no such mail or it holds no text.
 */
export async function replyQuote(
  deps: ReplyQuoteDeps,
  p: { inbox: { quoteHistory?: boolean | null }; parent: { _id: Types.ObjectId } | undefined; conversation: Types.ObjectId[]; locale: string },
): Promise<QuotedHistory | null> {
  if (!deps.quoteAttribution || p.inbox.quoteHistory === false || !p.parent) return null;
  const mail = await deps.messages.findQuotable(p.parent._id, p.conversation);
  const text = mail ? quotableText(mail) : null;
  if (!mail || text === null) return null;
  const from = mail.from ? (mail.from.name ? `${mail.from.name} <${mail.from.address}>` : mail.from.address) : '';
  const attribution = deps.quoteAttribution({ locale: p.locale, timeZone: deps.localeDefaults?.timeZone ?? null, date: mail.date ?? mail.createdAt, from });
  return buildQuotedHistory(attribution, text);
}
