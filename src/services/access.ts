import { Types } from 'mongoose';
import { AppError } from '../domain/errors.js';
import { actorAccessKeys } from '../domain/teams.js';
import type { UserRole } from '../domain/user-roles.js';

/** Who is asking: what every use case checks access against. */
export interface Actor {
  /** null for the operator CLI, which acts with database access rather than as a user. */
  userId: Types.ObjectId | null;
  role: UserRole;
  inboxIds: Types.ObjectId[];
  /** The teams the user is a member of (read once when the actor is built); absent: none. */
  teamIds?: Types.ObjectId[];
  /** An agent an admin allowed to write knowledge base articles (admins and managers always may). */
  kbEditor?: boolean;
}

/** The actor of operator tools (the inbox CLI): someone with the database credentials, so an admin. */
export const OPERATOR: Actor = { userId: null, role: 'admin', inboxIds: [] };

/** Parses a 24-hex ObjectId; null for anything else (so callers answer 404, not 500). */
export function parseObjectId(value: unknown): Types.ObjectId | null {
  return typeof value === 'string' && /^[0-9a-f]{24}$/i.test(value) ? new Types.ObjectId(value) : null;
}

/** The inboxes an actor may see: `'all'` for admins, else the user's own list. */
export function visibleInboxIds(actor: Actor): 'all' | Types.ObjectId[] {
  return actor.role === 'admin' ? 'all' : actor.inboxIds;
}

/** Whether the actor may see things that belong to this inbox. */
export function canSeeInbox(actor: Actor, inboxId: Types.ObjectId | null | undefined): boolean {
  if (!inboxId) return false;
  const visible = visibleInboxIds(actor);
  return visible === 'all' || visible.some((id) => id.equals(inboxId));
}

/** What access to a ticket is decided by: its inbox, its team, the teams it was escalated from, its assignee. */
export interface TicketAccessFields {
  inboxId?: Types.ObjectId | null;
  teamId?: Types.ObjectId | null;
  escalatedFromTeamIds?: Types.ObjectId[] | null;
  assigneeId?: Types.ObjectId | null;
}

const inTeams = (actor: Actor, teamId: Types.ObjectId | null | undefined) => Boolean(teamId && (actor.teamIds ?? []).some((id) => id.equals(teamId)));

/**
 * Whether the actor may see this ticket: admins always; anyone else when they are a member of its
 * inbox, of its team, or of a team it was escalated from (read-only: {@link canWorkTicket}).
 */
export function canSeeTicket(actor: Actor, ticket: TicketAccessFields): boolean {
  if (canSeeInbox(actor, ticket.inboxId) || inTeams(actor, ticket.teamId)) return true;
  return (ticket.escalatedFromTeamIds ?? []).some((teamId) => inTeams(actor, teamId));
}

/**
 * Whether the actor may change this ticket (reply, update, merge, snooze, spam, escalate): admins, the
 * members of its inbox or of its team, and its assignee. Someone who sees it only through a team it
 * was escalated from reads it and may add internal notes, nothing more, until it is reassigned to
 * them or their team.
 */
export function canWorkTicket(actor: Actor, ticket: TicketAccessFields): boolean {
  if (canSeeInbox(actor, ticket.inboxId) || inTeams(actor, ticket.teamId)) return true;
  return Boolean(actor.userId && ticket.assigneeId && actor.userId.equals(ticket.assigneeId) && canSeeTicket(actor, ticket));
}

/** FORBIDDEN for someone who sees a ticket only through a team it was escalated from (see {@link canWorkTicket}). */
export function escalatedReadOnly(): AppError {
  return new AppError('FORBIDDEN', 'This ticket was escalated to another team: your team can read it and add internal notes, not change it', { key: 'forbidden.escalatedReadOnly' });
}

/**
 * The access keys (`inbox:<id>`, `team:<id>`) that scope a ticket query for this actor, matched with
 * `$in` against the ticket's stored `access` array; undefined means no restriction (admins).
 */
export function ticketAccessScope(actor: Actor): string[] | undefined {
  return actor.role === 'admin' ? undefined : actorAccessKeys(actor.inboxIds, actor.teamIds ?? []);
}

/**
 * A query condition on `inboxId` restricting to what the actor may see; undefined means no
 * restriction (admins).
 */
export function inboxScope(actor: Actor): { $in: Types.ObjectId[] } | undefined {
  const visible = visibleInboxIds(actor);
  return visible === 'all' ? undefined : { $in: visible };
}

/** The things {@link notFound} names, with their `errors:` text; any other name gets the code's general text. */
const NOT_FOUND_KEYS = {
  'API token': 'notFound.apiToken',
  Attachment: 'notFound.attachment',
  'Canned reply': 'notFound.cannedReply',
  Draft: 'notFound.draft',
  Category: 'notFound.category',
  Contact: 'notFound.contact',
  Export: 'notFound.personalDataExport',
  Image: 'notFound.image',
  Inbox: 'notFound.inbox',
  Article: 'notFound.kbArticle',
  'Knowledge base category': 'notFound.kbCategory',
  Revision: 'notFound.kbRevision',
  Message: 'notFound.message',
  Partner: 'notFound.partner',
  'Side conversation': 'notFound.sideConversation',
  'Routing rule': 'notFound.routingRule',
  'Saved view': 'notFound.savedView',
  Team: 'notFound.team',
  Ticket: 'notFound.ticket',
  Upload: 'notFound.upload',
  User: 'notFound.user',
} as const;

export type NotFoundSubject = keyof typeof NOT_FOUND_KEYS;

/**
 * The one "not found" for anything outside the actor's inboxes: existing-but-hidden and missing
 * look the same, so ids cannot be probed.
 */
export function notFound(what: NotFoundSubject | (string & {})): AppError {
  const key = Object.hasOwn(NOT_FOUND_KEYS, what) ? NOT_FOUND_KEYS[what as NotFoundSubject] : undefined;
  return new AppError('NOT_FOUND', `${what} not found`, key ? { key } : undefined);
}

/** Refuses non-admins with FORBIDDEN (admin-only actions are not secret, so 403 rather than 404). */
export function requireAdmin(actor: Actor): void {
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins can do this', { key: 'forbidden.adminOnly' });
}
