import type { Types } from 'mongoose';
import type { TicketFollowUp } from '../../domain/ingest-plan.js';
import { excerptOf, replyText } from '../../domain/reply-text.js';
import type { MessageStore } from '../../store/message-store.js';
import type { TeamStore } from '../../store/team-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { notify, type NotificationEvent, type NotifyDeps } from './notify.js';

/**
 * Mail older than this when it is ingested (its own date: a backlog import, a mailbox re-read) tells
 * no one: it is news to nobody, and an import would flood every team.
 */
export const NOTIFY_MAX_MAIL_AGE_MS = 24 * 3600_000;

/** What telling people about received mail needs: the tickets, the mails, the teams, and notify's own. */
export type NotifyReceivedMailDeps = NotifyDeps & {
  tickets: Pick<TicketStore, 'listByIds'>;
  messages: Pick<MessageStore, 'findById'>;
  teams: Pick<TeamStore, 'listByIds'>;
};

type Ticket = Awaited<ReturnType<TicketStore['listByIds']>>[number];
type Message = NonNullable<Awaited<ReturnType<MessageStore['findById']>>>;

const customerOf = (ticket: Ticket) => ticket.requester.name || ticket.requester.email;
const excerptOfMail = (m: Message) => excerptOf(replyText({ text: m.text, html: m.html }));

/**
 * The notifications of a batch of received mail, from its follow-up work (once per ticket):
 * - `team_new_ticket`: a new ticket with a team (its inbox's default) tells the team's members, the
 *   team's size deciding the default (off for teams over five); keyed by the ticket and team;
 * - `customer_replied`: each mail a person wrote on an existing ticket with an assignee tells the
 *   assignee; keyed by the message.
 * A ticket in Spam tells no one. Idempotent: a batch run again records nothing twice. Mail older than {@link NOTIFY_MAX_MAIL_AGE_MS} tells no one.
 */
export async function notifyReceivedMail(deps: NotifyReceivedMailDeps, followUps: ReadonlyArray<TicketFollowUp<Types.ObjectId>>): Promise<void> {
  const wanted = followUps.filter((f) => f.openedBy || (f.replies?.length ?? 0) > 0);
  if (wanted.length === 0) return;
  const tickets = new Map((await deps.tickets.listByIds(wanted.map((f) => f.ticketId))).map((t) => [t._id.toHexString(), t]));
  const teamIds = wanted.flatMap((f) => {
    const t = tickets.get(f.ticketId.toHexString());
    return f.openedBy && t?.teamId ? [t.teamId] : [];
  });
  const teams = new Map((teamIds.length > 0 ? await deps.teams.listByIds(teamIds) : []).map((t) => [t._id.toHexString(), t]));
  const now = deps.now();
  const recent = (m: Message | null): m is Message => m !== null && now.getTime() - (m.createdAt ?? now).getTime() <= NOTIFY_MAX_MAIL_AGE_MS;
  const events: NotificationEvent[] = [];
  for (const f of wanted) {
    const ticket = tickets.get(f.ticketId.toHexString());
    if (!ticket || ticket.mergedIntoId || ticket.status === 'spam') continue;
    const team = f.openedBy && ticket.teamId ? teams.get(ticket.teamId.toHexString()) : undefined;
    if (f.openedBy && team && team.memberIds.length > 0) {
      const opening = await deps.messages.findById(f.openedBy);
      if (recent(opening)) {
        events.push({
          kind: 'team_new_ticket',
          // Per team: a ticket a routing rule hands to another team tells that team too.
          key: `team_new_ticket:${ticket._id.toHexString()}:${team._id.toHexString()}`,
          ticket,
          at: now,
          data: { by: { id: null, name: customerOf(ticket), email: ticket.requester.email }, customer: customerOf(ticket), teamName: team.name, excerpt: excerptOfMail(opening) },
          userIds: team.memberIds,
          context: { teamSize: team.memberIds.length },
        });
      }
    }
    if (!ticket.assigneeId) continue;
    for (const messageId of f.replies ?? []) {
      const reply = await deps.messages.findById(messageId);
      if (!recent(reply)) continue;
      const from = reply.from ? { name: reply.from.name || reply.from.address, email: reply.from.address } : { name: customerOf(ticket), email: ticket.requester.email };
      events.push({
        kind: 'customer_replied',
        key: `customer_replied:${messageId.toHexString()}`,
        ticket,
        at: now,
        data: { by: { id: null, ...from }, customer: customerOf(ticket), excerpt: excerptOfMail(reply), messageId: messageId.toHexString() },
        userIds: [ticket.assigneeId],
      });
    }
  }
  if (events.length > 0) await notify(deps, events);
}
