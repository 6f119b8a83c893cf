import type { MailAddress } from './mail.js';

/** How many addresses of one mail may become participants of its ticket, unless configured otherwise. */
export const DEFAULT_MAX_PARTICIPANTS_PER_MAIL = 50;

/**
 * How many addresses of each header (To, Cc, Reply-To) a stored message lists; the raw source keeps
 * them all. Storing tens of thousands costs seconds of work for a list no agent reads.
 */
export const MAX_LISTED_ADDRESSES = 500;

export type AddressHeader = 'from' | 'to' | 'cc';

/** Addresses a mail left out of its ticket's participants, for the trail. */
export interface ParticipantsCapped {
  /** Distinct addresses in the headers named, counting each in the first header that names it. */
  addresses: number;
  /** Headers whose addresses were left out, in header order. */
  headers: AddressHeader[];
  /** How many of the mail's addresses were added. */
  added: number;
}

/** The participants one mail brings to its ticket. */
export interface MailParticipants {
  /** Lower-case and distinct, none of our own, in header order (From, To, Cc); at most the cap. */
  addresses: string[];
  /** Set when the mail named more addresses than the cap. */
  capped: ParticipantsCapped | null;
}

/**
 * The addresses of a mail that become participants of its ticket: From, To and Cc without our own
 * addresses, the first `max` of them. A mass mailing's Cc list is not a conversation, and every
 * participant makes later ticket writes and threading look-ups dearer.
 */
export function mailParticipants(
  mail: { from: MailAddress | null; to: MailAddress[]; cc: MailAddress[] },
  own: ReadonlySet<string>,
  max: number,
): MailParticipants {
  const seen = new Set<string>();
  const added: string[] = [];
  const counts: Record<AddressHeader, number> = { from: 0, to: 0, cc: 0 };
  const over = new Set<AddressHeader>();
  const visit = (header: AddressHeader, list: MailAddress[]) => {
    for (const entry of list) {
      const address = entry.address.toLowerCase();
      if (!address || own.has(address) || seen.has(address)) continue;
      seen.add(address);
      counts[header]++;
      if (added.length < max) added.push(address);
      else over.add(header);
    }
  };
  visit('from', mail.from ? [mail.from] : []);
  visit('to', mail.to);
  visit('cc', mail.cc);
  if (over.size === 0) return { addresses: added, capped: null };
  const headers = (['from', 'to', 'cc'] as const).filter((h) => over.has(h));
  return { addresses: added, capped: { addresses: headers.reduce((n, h) => n + counts[h], 0), headers, added: added.length } };
}

const HEADER_NAMES: Record<AddressHeader, string> = { from: 'From', to: 'To', cc: 'Cc' };

/** The trail's sentence for a capped mail, e.g. "12,345 addresses in Cc; only the first 50 were added as participants". */
export function participantsCappedText(capped: ParticipantsCapped): string {
  const headers = capped.headers.map((h) => HEADER_NAMES[h]).join(' and ');
  return `${capped.addresses.toLocaleString('en-US')} addresses in ${headers}; only the first ${capped.added} were added as participants`;
}
