import { withHandles } from '../../domain/mentions.js';
import type { PresenceState } from '../../domain/presence.js';
import type { MailAddress } from '../../domain/mail.js';
import type { ReplyRecipients } from '../../domain/reply-recipients.js';
import type { CannedReplyStore } from '../../store/canned-reply-store.js';
import type { CategoryStore } from '../../store/category-store.js';
import type { ContactStore } from '../../store/contact-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { PresenceStore } from '../../store/presence-store.js';
import type { TeamStore } from '../../store/team-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { UserStore } from '../../store/user-store.js';
import { canWorkTicket, parseObjectId, type Actor } from '../access.js';
import { readConversation, type ConversationDeps, type TicketDetailView } from './get-ticket.js';
import type { UserLabel } from './list-assignees.js';
import { bouncingAddresses, recipientContextOf, ticketAddressBook } from './propose-reply-recipients.js';
import { fillCannedReply, type RenderedCannedReply } from '../canned-replies/render-canned-reply.js';
import { otherTicketsOfRequester } from './requester-tickets.js';
import type { TicketSummaryView } from './ticket-view.js';
import { presenceViews, recordPresence, type PresenceView } from './track-presence.js';
import { recordTicketOpened, type RecordOpenedDeps } from './mark-ticket-read.js';
import { recordTicketViewed, type RecordAccessDeps } from '../access-log/record-access.js';
import { visibleTicket } from './visible-ticket.js';

/** What the ticket page asks for besides the ticket. */
export interface TicketPageOptions {
  /** `?canned=`: the canned reply to fill in for the reply box; a stale one leaves the box empty. */
  cannedId: string | null;
  /** What the actor is recorded as doing: viewing, or replying (back with a held draft). */
  presence: PresenceState;
  /** Further users (hex ids) the page names, such as the authors of what held a reply. */
  alsoName?: ReadonlyArray<string | null>;
}

/** Everything the ticket page shows. */
export interface TicketPageData {
  ticket: TicketDetailView;
  /** Merged into another ticket (`ticket.mergedInto` is null when that one is hidden): it takes no more changes. */
  merged: boolean;
  /** The actor sees it only through a team it was escalated from: they may read it and add notes, nothing more (access.ts canWorkTicket). */
  readOnly: boolean;
  inboxName: string;
  /** The ticket's inbox was deleted with its tickets kept read-only: no replies from the page. */
  inboxDeleted: boolean;
  /** Who wrote each agent message (reply or note): message id → user id (hex). */
  authors: Map<string, string>;
  /** Each message's own `Date` header, by message id, for the mails that had a valid one. */
  mailDates: Map<string, Date>;
  /** Display names of the users the page names, by id (hex). */
  users: Map<string, string>;
  /** The active users the ticket can be assigned to: its inbox's members and every admin. */
  assignees: UserLabel[];
  /** Whom a reply would go to; null for a merged ticket. */
  recipients: ReplyRecipients | null;
  /** The addresses the ticket knows (requester, participants, people of its mail; not ours), offered first for To, Cc and Bcc. */
  addressBook: MailAddress[];
  /** The requester's other tickets (also the merge candidates). */
  requesterTickets: TicketSummaryView[];
  /** The inbox's canned replies by title (none when the inbox is gone). */
  cannedReplies: Array<{ id: string; title: string }>;
  /** The canned reply `cannedId` names, filled in for this ticket and the actor. */
  cannedDraft: RenderedCannedReply | null;
  /** The other users who have the ticket open. */
  presence: PresenceView[];
  /** The categories the ticket may have: those of its inbox and of every inbox, not archived, plus its own even when archived. */
  categories: Array<{ id: string; name: string; archived: boolean }>;
  /** The teams the ticket may be moved to: those that work its inbox. */
  teams: Array<{ id: string; name: string; level: string }>;
  /** The active users who can see the ticket, by name, with the handle that mentions them in a note (`@handle`). */
  mentionable: Array<{ id: string; handle: string; label: string }>;
}

/** What the ticket page reads of tickets and their trails, and records of who has them open. */
type TicketPageTicketDeps = Pick<ConversationDeps, 'tickets' | 'trail'> & RecordOpenedDeps & RecordAccessDeps & {
  tickets: Pick<TicketStore, 'listOthersOfRequester'>;
  presence: Pick<PresenceStore, 'beat' | 'listOthers'>;
};

const labelOf = (u: { name?: string | null; email: string }) => u.name || u.email;

/**
 * The ticket page's data for a ticket the actor may see (NOT_FOUND otherwise), reading each
 * document once: the ticket, its conversation and trail, the inboxes, the requester's other
 * tickets, the inbox's canned replies and, in one query, every user the page names or offers as
 * assignee. It records the actor's presence on the ticket as it goes, marks it read for them, and
 * records the view in the access log.
 */
export async function loadTicketPage(
  deps: TicketPageTicketDeps & {
    inboxes: Pick<InboxStore, 'listAddressesAndNames'>;
    cannedReplies: Pick<CannedReplyStore, 'listByInbox'>;
    categories: Pick<CategoryStore, 'listForInboxes'>;
    teams: Pick<TeamStore, 'listOfInbox' | 'findById' | 'listByIds'>;
    messages: Pick<MessageStore, 'listConversation'>;
    contacts: Pick<ContactStore, 'listBouncingEmails'>;
    users: Pick<UserStore, 'listNamedOrAssignable'>;
    now: () => Date;
  },
  actor: Actor,
  id: string,
  opts: TicketPageOptions,
): Promise<TicketPageData> {
  // Opening the page marks the ticket read for the actor as of now, before anything is read (domain/unread.ts).
  const openedAt = deps.now();
  const ticket = await visibleTicket(deps.tickets, actor, id);
  const merged = Boolean(ticket.mergedIntoId);
  const [{ view, messages }, inboxes, bouncing, requesterTickets, canned, present, categories, teams] = await Promise.all([
    readConversation(deps, actor, ticket),
    deps.inboxes.listAddressesAndNames(),
    merged ? [] : bouncingAddresses(deps.contacts, ticket),
    otherTicketsOfRequester(deps, actor, ticket),
    deps.cannedReplies.listByInbox(ticket.inboxId),
    recordPresence(deps, actor, ticket._id, opts.presence),
    deps.categories.listForInboxes([ticket.inboxId]),
    deps.teams.listOfInbox(ticket.inboxId),
    recordTicketOpened(deps, actor, ticket._id, openedAt),
    recordTicketViewed(deps, actor, ticket, openedAt),
  ]);
  const inbox = inboxes.find((i) => i._id.equals(ticket.inboxId)) ?? null;
  const authors = new Map(messages.flatMap((m) => (m.authorId ? [[m._id.toHexString(), m.authorId.toHexString()] as const] : [])));
  const mailDates = new Map(messages.flatMap((m) => (m.date instanceof Date && !Number.isNaN(m.date.getTime()) ? [[m._id.toHexString(), m.date] as const] : [])));
  const cannedId = opts.cannedId ? parseObjectId(opts.cannedId) : null;
  const draft = cannedId ? canned.find((c) => c._id.equals(cannedId)) ?? null : null;

  const named = [
    ...authors.values(),
    ...view.events.flatMap((e) => [e.actor.id, typeof e.data.to === 'string' ? e.data.to : e.data.to ? String(e.data.to) : null]),
    ...(opts.alsoName ?? []),
    ...present.map((p) => p.userId.toHexString()),
    ...(draft && actor.userId ? [actor.userId.toHexString()] : []),
  ].flatMap((hex) => parseObjectId(hex) ?? []);
  // The ticket's team, whose members can see it too (and may be mentioned).
  const ticketTeam = ticket.teamId ? (teams.find((team) => team._id.equals(ticket.teamId!)) ?? (await deps.teams.findById(ticket.teamId))) : null;
  const users = await deps.users.listNamedOrAssignable([...named, ...(ticketTeam?.memberIds ?? [])], ticket.inboxId);
  const agent = actor.userId ? users.find((u) => u._id.equals(actor.userId!)) ?? null : null;

  return {
    ticket: view,
    merged,
    readOnly: !canWorkTicket(actor, ticket),
    inboxName: inbox?.name ?? '',
    inboxDeleted: Boolean(inbox?.deletedAt),
    authors,
    mailDates,
    users: new Map(users.map((u) => [u._id.toHexString(), labelOf(u)])),
    assignees: users
      .filter((u) => !u.disabled && (u.role === 'admin' || u.inboxIds.some((i) => i.equals(ticket.inboxId))))
      .map((u) => ({ id: u._id.toHexString(), label: labelOf(u), away: u.away === true })),
    recipients: merged ? null : recipientContextOf(ticket, messages, inboxes.map((i) => i.address), bouncing).proposal,
    addressBook: merged ? [] : ticketAddressBook(ticket, messages, inboxes.map((i) => i.address)),
    requesterTickets,
    cannedReplies: inbox ? canned.map((c) => ({ id: c._id.toHexString(), title: c.title })) : [],
    cannedDraft: draft ? fillCannedReply(draft, ticket, agent) : null,
    presence: presenceViews(present, users),
    categories: categories
      .filter((c) => !c.archived || (ticket.categoryId && c._id.equals(ticket.categoryId)))
      .map((c) => ({ id: c._id.toHexString(), name: c.name, archived: c.archived })),
    teams: (ticketTeam && !teams.some((team) => team._id.equals(ticketTeam._id)) ? [...teams, ticketTeam] : teams).map((team) => ({ id: team._id.toHexString(), name: team.name, level: team.level })),
    mentionable: withHandles(
      users.filter((u) => !u.disabled && (u.role === 'admin' || u.inboxIds.some((i) => i.equals(ticket.inboxId)) || ticketTeam?.memberIds.some((m) => m.equals(u._id)))),
    ).map((u) => ({ id: u._id.toHexString(), handle: u.handle, label: labelOf(u) })),
  };
}
