import { participantsCappedText, type AddressHeader } from '../../domain/participants.js';
import { hasRemoteImages } from '../../mail/sanitize-html.js';
import type { TicketDetailView } from '../../services/tickets/get-ticket.js';
import type { MessageView, TicketEventView } from '../../services/tickets/ticket-view.js';

/** One entry of the conversation as the ticket page shows it. */
export type TimelineEntry =
  | {
      kind: 'message';
      at: Date;
      message: MessageView;
      author: string;
      isNote: boolean;
      isInbound: boolean;
      isOutbound: boolean;
      htmlUrl: string | null;
      /** Set when the HTML holds back remote images: the ticket page URL that loads them for this message. */
      loadImagesUrl: string | null;
      imagesLoaded: boolean;
    }
  | { kind: 'event'; at: Date; text: string; link: { url: string; label: string } | null };

// Messages already appear in full, so the events that only announce them are left out.
const SHOWN_AS_MESSAGE = new Set(['created', 'message_received', 'reply_queued', 'note_added']);

const str = (v: unknown) => (v === null || v === undefined ? 'none' : String(v));

function describe(e: TicketEventView, who: string, users: Map<string, string>): string {
  const d = e.data;
  const user = (v: unknown) => (v ? users.get(String(v)) ?? 'someone' : 'nobody');
  switch (e.type) {
    case 'status_changed': return `${who} changed the status from ${str(d.from)} to ${str(d.to)}`;
    case 'priority_changed': return `${who} changed the priority from ${str(d.from)} to ${str(d.to)}`;
    case 'assigned': return `${who} assigned the ticket to ${user(d.to)}`;
    case 'tags_changed': return `${who} changed the tags`;
    case 'reply_sent': return 'Reply delivered to the mail server';
    case 'reply_failed': return `Reply could not be delivered${d.error ? `: ${str(d.error)}` : ''}`;
    case 'auto_reply_sent': return 'Automatic acknowledgement sent';
    case 'auto_reply_suppressed': return `No automatic acknowledgement (${str(d.reason)})`;
    case 'sla_reminder': return 'SLA reminder sent';
    case 'sla_breached': return 'SLA breached';
    case 'escalated': return `Escalated${d.level ? ` to level ${str(d.level)}` : ''}`;
    case 'bounce_received': return 'A delivery failure report arrived';
    case 'auto_reply_received': return `An automatic reply (out of office or similar) arrived${d.from ? ` from ${str(d.from)}` : ''}; the ticket was left as it was`;
    case 'reopened': return 'Reopened by a new customer message';
    case 'participants_capped': return participantsCappedText({ addresses: Number(d.addresses), headers: (Array.isArray(d.headers) ? d.headers : []) as AddressHeader[], added: Number(d.added) });
    case 'merged':
      if (d.fromNumber !== undefined) return `${who} merged #${str(d.fromNumber)} into this ticket${d.reason ? ` (${str(d.reason)})` : ''}`;
      return d.intoNumber !== undefined ? `${who} merged this ticket into #${str(d.intoNumber)}` : 'Tickets merged';
    case 'linked': return 'Linked to another ticket';
    case 'related': return 'Related to a ticket in another inbox';
    default: return e.type.replace(/_/g, ' ');
  }
}

/** The ticket an event names, when the viewer may open it (get-ticket leaves the id out otherwise). */
function otherTicketLink(e: TicketEventView): { url: string; label: string } | null {
  if (e.type !== 'linked' && e.type !== 'related') return null;
  const { ticketId, number } = e.data;
  return typeof ticketId === 'string' && typeof number === 'number' ? { url: `/tickets/${ticketId}`, label: `#${number}` } : null;
}

/**
 * Merges messages and events into one chronological list. Customer HTML is never inlined: an entry
 * only carries the URL of its sandboxed body route, which loads remote images only for the message
 * named by `loadImagesFor` (the agent followed its "Load images" link).
 */
export function buildTimeline(ticket: TicketDetailView, users: Map<string, string>, authors: Map<string, string>, opts: { loadImagesFor?: string | undefined } = {}): TimelineEntry[] {
  const agent = (m: MessageView) => users.get(authors.get(m.id) ?? '') ?? m.from?.name ?? m.from?.address ?? 'Agent';
  const entries: TimelineEntry[] = ticket.messages.map((m) => {
    const framed = m.direction === 'inbound' && Boolean(m.html);
    const remote = framed && hasRemoteImages(m.html ?? '');
    const imagesLoaded = remote && opts.loadImagesFor === m.id;
    return {
      kind: 'message' as const,
      at: m.createdAt,
      message: m,
      author: m.direction === 'inbound' ? (m.from?.name ? `${m.from.name} <${m.from.address}>` : m.from?.address ?? 'Unknown sender') : agent(m),
      isNote: m.direction === 'note',
      isInbound: m.direction === 'inbound',
      isOutbound: m.direction === 'outbound',
      htmlUrl: framed ? `/tickets/${ticket.id}/messages/${m.id}/body${imagesLoaded ? '?images=1' : ''}` : null,
      loadImagesUrl: remote && !imagesLoaded ? `/tickets/${ticket.id}?images=${m.id}#msg-${m.id}` : null,
      imagesLoaded,
    };
  });
  for (const e of ticket.events) {
    if (SHOWN_AS_MESSAGE.has(e.type)) continue;
    const who = e.actor.kind === 'user' ? users.get(e.actor.id ?? '') ?? 'An agent' : e.actor.kind === 'system' ? 'Threadline' : e.actor.label ?? 'The customer';
    entries.push({ kind: 'event', at: e.at, text: describe(e, who, users), link: otherTicketLink(e) });
  }
  // Stable sort: a message and an event at the same instant keep messages first.
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
}
