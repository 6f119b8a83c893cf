/** A keyed signature over a short string (HMAC under SECRET_KEY), passed in to keep this module pure. */
export type Signer = (value: string) => string;

const OURS = /^tl\.(\d{1,12})\.([a-z0-9]{1,40})\.([a-z0-9]{10})@(.+)$/i;

/**
 * The Message-ID of a mail we send (without brackets): it names the ticket, a unique part, and a
 * signature, so a reply threads even when the customer's client drops References, and nobody can
 * forge an id that files their mail into someone else's ticket.
 */
export function ourMessageId(ticketNumber: number, uniquePart: string, domain: string, sign: Signer): string {
  const body = `${ticketNumber}.${uniquePart.toLowerCase()}`;
  return `tl.${body}.${sign(body).slice(0, 10).toLowerCase()}@${domain}`;
}

/** The ticket number encoded in one of our Message-IDs, or null for any other (or forged) id. */
export function ticketNumberFromMessageId(messageId: string, sign: Signer): number | null {
  return readOurMessageId(messageId, sign)?.ticketNumber ?? null;
}

/** The ticket number and unique part of one of our Message-IDs (signature checked), or null for any other id. */
export function readOurMessageId(messageId: string, sign: Signer): { ticketNumber: number; uniquePart: string } | null {
  const match = OURS.exec(messageId);
  if (!match) return null;
  const body = `${match[1]}.${match[2]!.toLowerCase()}`;
  return sign(body).slice(0, 10).toLowerCase() === match[3]!.toLowerCase() ? { ticketNumber: Number(match[1]), uniquePart: match[2]!.toLowerCase() } : null;
}
