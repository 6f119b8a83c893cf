import { formatDateTime, mailTranslator } from './email-format.js';

/**
 * The line introducing a quoted mail in a reply ("On <date>, <name> wrote:" / « Le <date>, <nom> a écrit : »),
 * in the customer's language, the date in `timeZone` (UTC when none).
 */
export function quoteAttribution(p: { locale: string; timeZone?: string | null; date: Date; from: string }): string {
  const tr = mailTranslator(p.locale);
  return tr.t('mail:agentReply.wrote', { date: formatDateTime(p.date, p.timeZone ?? 'UTC', tr), from: p.from });
}
