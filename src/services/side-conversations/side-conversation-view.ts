import type { MessageDoc } from '../../store/models/message.js';
import type { SideConversationKind } from '../../domain/side-conversations.js';
import type { SideConversationDoc } from '../../store/models/side-conversation.js';

/** One mail of a side conversation as agents see it. */
export interface SideMessageView {
  id: string;
  /** `outbound`: ours; `inbound`: the partner's. */
  direction: 'inbound' | 'outbound';
  from: string | null;
  to: string[];
  subject: string | null;
  text: string;
  at: Date;
  authorId: string | null;
  delivery: 'pending' | 'sent' | 'failed' | null;
  attachments: Array<{ fileId: string; filename: string | null; contentType: string; size: number }>;
}

/** A side conversation of a ticket as the API and the ticket page show it (agents only). */
export interface SideConversationView {
  id: string;
  ticketId: string;
  kind: SideConversationKind;
  partnerId: string | null;
  /** The partner's name when it is one of the partners, else null. */
  partnerName: string | null;
  subject: string;
  to: string[];
  participants: string[];
  /** Our last mail waits for an answer. */
  awaiting: boolean;
  createdAt: Date;
  lastMessageAt: Date;
  messages: SideMessageView[];
}

/** The view of one side-conversation message. */
export function toSideMessageView(m: MessageDoc): SideMessageView {
  return {
    id: m._id.toHexString(),
    direction: m.direction === 'inbound' ? 'inbound' : 'outbound',
    from: m.from?.address ?? null,
    to: [...m.to, ...m.cc].map((a) => a.address),
    subject: m.subject ?? null,
    text: m.text ?? '',
    at: m.createdAt,
    authorId: m.authorId?.toHexString() ?? null,
    delivery: m.delivery?.state ?? null,
    attachments: m.attachments.filter((a) => !a.inline).map((a) => ({ fileId: a.fileId.toHexString(), filename: a.filename ?? null, contentType: a.contentType, size: a.size })),
  };
}

/** The view of a side conversation with its messages (in arrival order). */
export function toSideConversationView(sc: SideConversationDoc, messages: MessageDoc[], partnerName: string | null): SideConversationView {
  const own = messages.filter((m) => m.sideConversationId?.equals(sc._id));
  return {
    id: sc._id.toHexString(),
    ticketId: sc.ticketId.toHexString(),
    kind: sc.kind,
    partnerId: sc.partnerId?.toHexString() ?? null,
    partnerName,
    subject: sc.subject,
    to: sc.to.map((a) => a.address),
    participants: sc.participants,
    awaiting: sc.awaiting,
    createdAt: sc.createdAt,
    lastMessageAt: sc.lastMessageAt,
    messages: own.map(toSideMessageView),
  };
}
