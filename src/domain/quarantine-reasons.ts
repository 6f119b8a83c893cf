/**
 * Why a received mail was set aside, and whether an admin may send it through ingest again. Pure:
 * the reason codes the ingest pipeline and the pollers write into the quarantine.
 */

/** The reason codes of quarantined mail; anything else is shown as "other". */
export const QUARANTINE_REASONS = ['MAIL_UNPARSEABLE', 'MAIL_TOO_LARGE', 'INGEST_FAILED', 'BOUNCE_UNMATCHED', 'NOTIFICATION_REPLY_REFUSED'] as const;

export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];

/**
 * Reasons that are security refusals: "ingest anyway" is never offered for them. A mail sent to a
 * notification's signed Reply-To that did not check out (forged or replayed signature, another sender,
 * an automatic reply) must never become a customer's message.
 */
const REFUSED: ReadonlySet<string> = new Set(['NOTIFICATION_REPLY_REFUSED']);

/** The reason's code as the catalogs name it (`settings:quarantine.reason.<code>`), `OTHER` for an unknown one. */
export function reasonKey(reason: string): QuarantineReason | 'OTHER' {
  return (QUARANTINE_REASONS as readonly string[]).includes(reason) ? (reason as QuarantineReason) : 'OTHER';
}

/** Whether "ingest anyway" may be offered for a mail quarantined for this reason. */
export function canIngestAnyway(reason: string): boolean {
  return !REFUSED.has(reason);
}

/**
 * Whether ingesting anyway lifts the message size limit: only for mail set aside because of it. Every
 * other rule (a retry after repeated failures, a parser that reads more today) runs as usual.
 */
export function liftsSizeLimit(reason: string): boolean {
  return reason === 'MAIL_TOO_LARGE';
}

/** A download name for the raw mail: safe characters only, never a path. */
export function rawFileName(id: string, subject: string | null | undefined): string {
  const slug = (subject ?? '')
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .slice(0, 60)
    .replace(/^-+|-+$/g, '');
  return `quarantine-${id}${slug ? `-${slug}` : ''}.eml`;
}
