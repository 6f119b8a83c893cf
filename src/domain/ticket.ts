import { AppError } from './errors.js';
import { priorityFor, type ImpactLevel, type UrgencyLevel } from './priority-matrix.js';
import { DEFAULT_REPLY_STATUS, type ReplyStatus, type TicketPriority, type TicketStatus } from './ticket-status.js';

/**
 * The ticket's status bookkeeping. One rule for every status change (see {@link transition}):
 * `solvedAt` is when the ticket last became solved, `closedAt` when it last became closed.
 * - entering `solved` sets solvedAt and clears closedAt;
 * - entering `closed` sets closedAt and keeps solvedAt (a solved ticket closed later stays solved then);
 * - entering `new`, `open` or `pending` clears both;
 * - entering `pending` also sets pendingSince (when it last started waiting on the customer; read
 *   only while the ticket is pending, so leaving pending need not clear it);
 * - a status that does not change changes neither.
 */
export interface StatusFields {
  status: TicketStatus;
  solvedAt: Date | null;
  closedAt: Date | null;
  pendingSince?: Date;
}

/** A ticket as the status rules read it (tickets stored earlier may lack the timestamps). */
export interface TicketStatusState {
  status: TicketStatus;
  solvedAt?: Date | null;
  closedAt?: Date | null;
}

/** The SLA bookkeeping the ticket rules set. */
export interface SlaFields {
  /** The oldest customer mail no agent has answered yet. */
  awaitingSince?: Date | null;
  firstRespondedAt?: Date | null;
}

/** Field changes a ticket rule asks for; absent fields stay as they are. */
export interface TicketChanges extends Partial<StatusFields> {
  lastActivityAt?: Date;
  sla?: SlaFields;
}

/** A status change as the trail records it. */
export interface StatusChange {
  from: TicketStatus;
  to: TicketStatus;
}

/** The fields a move to `to` at `at` sets, or null when the ticket already has that status. */
export function transition(ticket: TicketStatusState, to: TicketStatus, at: Date): StatusFields | null {
  if (to === ticket.status) return null;
  if (to === 'solved') return { status: to, solvedAt: at, closedAt: null };
  if (to === 'closed') return { status: to, solvedAt: ticket.solvedAt ?? null, closedAt: at };
  if (to === 'pending') return { status: to, solvedAt: null, closedAt: null, pendingSince: at };
  return { status: to, solvedAt: null, closedAt: null };
}

/** How a customer's mail arrived, as far as the reopen rules care. */
export interface CustomerReplyPolicy {
  /** An automatic answer (out-of-office, vacation notice): it wakes nothing. */
  automated: boolean;
  /** The mail continues the ticket's conversation; the mail that opened a ticket reopens nothing. */
  continuesConversation: boolean;
}

/**
 * What a customer's mail does to its ticket: a reply to a solved or closed ticket reopens it
 * (trail: `reopened`), a reply to a pending one makes it open again (trail: `status_changed`),
 * anything else leaves the status alone (null). Whether a reply to a long-closed ticket starts a
 * new one instead is decided before, by {@link startsFollowUp}.
 */
export function onCustomerReply(
  ticket: TicketStatusState,
  at: Date,
  policy: CustomerReplyPolicy,
): { kind: 'reopen' | 'wake'; from: TicketStatus; change: StatusFields } | null {
  if (policy.automated) return null;
  const change = transition(ticket, 'open', at);
  if (!change) return null;
  if (ticket.status === 'solved' || ticket.status === 'closed') return policy.continuesConversation ? { kind: 'reopen', from: ticket.status, change } : null;
  return ticket.status === 'pending' ? { kind: 'wake', from: ticket.status, change } : null;
}

/**
 * Whether a customer's reply to this ticket opens a new ticket linked to it instead of reopening it:
 * the ticket was closed longer than `reopenClosedWithinSeconds` ago (or closed at an unknown time).
 */
export function startsFollowUp(ticket: Pick<TicketStatusState, 'status' | 'closedAt'>, at: Date, reopenClosedWithinSeconds: number): boolean {
  if (ticket.status !== 'closed') return false;
  const closedFor = ticket.closedAt ? (at.getTime() - ticket.closedAt.getTime()) / 1000 : Infinity;
  return closedFor > reopenClosedWithinSeconds;
}

/**
 * What an agent's reply at `at` does to its ticket: the status the agent chose (pending by default,
 * under the status rule), the activity time, the next-response clock stopped (no customer mail is
 * waiting), and the first response recorded once.
 */
export function onAgentReply(
  ticket: TicketStatusState & { sla?: SlaFields | null },
  at: Date,
  statusAfter: ReplyStatus = DEFAULT_REPLY_STATUS,
): { changes: TicketChanges; statusChanged: StatusChange | null } {
  const change = transition(ticket, statusAfter, at);
  return {
    changes: { ...change, lastActivityAt: at, sla: { awaitingSince: null, ...(ticket.sla?.firstRespondedAt ? {} : { firstRespondedAt: at }) } },
    statusChanged: change ? { from: ticket.status, to: statusAfter } : null,
  };
}

/** A reply needs words: text, or HTML. */
export function checkReplyBody(text: string, html: string | null | undefined): void {
  if (!text.trim() && !html?.trim()) throw new AppError('VALIDATION_FAILED', 'A reply needs text', { details: { issues: [{ path: 'text', message: 'is required', code: 'custom', key: 'errors:issue.required' }] }, key: 'input.invalid', params: { what: 'Reply' } });
}

/** A merged ticket takes no reply: its conversation goes on in the ticket it was merged into. */
export function checkReplyable(ticket: { mergedIntoId?: unknown }): void {
  if (ticket.mergedIntoId) throw new AppError('NOT_FOUND', 'Ticket not found');
}

/** A merged ticket takes no more changes of status, priority, assignee or tags. */
export function checkChangeable(ticket: { mergedIntoId?: unknown }): void {
  if (ticket.mergedIntoId) throw new AppError('CONFLICT', 'This ticket was merged into another one');
}

/** Tags as a ticket keeps them: lower-case, each once, sorted. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.toLowerCase()))].sort();
}

/** Whether two tag lists hold the same tags (in any order). */
export function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return [...a].sort().join('\n') === [...b].sort().join('\n');
}

/** A ticket's priority and what it is derived from (tickets stored earlier lack the assessment: not assessed). */
export interface PriorityState {
  priority: TicketPriority;
  impact?: ImpactLevel | null;
  urgency?: UrgencyLevel | null;
  priorityOverridden?: boolean;
}

/** What an agent asks of the priority; absent fields stay as they are. */
export interface PriorityRequest {
  /** Set by hand: overrides the matrix (when it differs from the current priority). */
  priority?: TicketPriority;
  /** null = not assessed. */
  impact?: ImpactLevel | null;
  urgency?: UrgencyLevel | null;
  /** true: drop a hand-set priority and follow the matrix again (wins over `priority`). */
  followMatrix?: boolean;
}

/** The priority fields that change, and why the priority changed (absent: it did not). */
export interface PriorityDecision {
  changes: { priority?: TicketPriority; impact?: ImpactLevel | null; urgency?: UrgencyLevel | null; priorityOverridden?: boolean };
  /** `manual`: set by hand (now overridden); `matrix`: follows impact × urgency. */
  prioritySource: 'manual' | 'matrix' | null;
}

/**
 * The impact × urgency rule (domain/priority-matrix.ts):
 * - a priority set by hand that differs from the current one is kept and marks the ticket overridden;
 *   a priority equal to the current one is no change (forms send the shown value back);
 * - `followMatrix` clears the override, and the priority follows the matrix when both are assessed;
 * - otherwise, changing impact or urgency moves the priority to the matrix's cell when both are
 *   assessed and the ticket is not overridden; an overridden ticket keeps its priority.
 */
export function decidePriority(ticket: PriorityState, request: PriorityRequest): PriorityDecision {
  const changes: PriorityDecision['changes'] = {};
  const impact = request.impact !== undefined ? request.impact : (ticket.impact ?? null);
  const urgency = request.urgency !== undefined ? request.urgency : (ticket.urgency ?? null);
  if (impact !== (ticket.impact ?? null)) changes.impact = impact;
  if (urgency !== (ticket.urgency ?? null)) changes.urgency = urgency;
  const wasOverridden = ticket.priorityOverridden ?? false;
  const matrix = impact && urgency ? priorityFor(impact, urgency) : null;

  if (request.followMatrix) {
    if (wasOverridden) changes.priorityOverridden = false;
    if (matrix && matrix !== ticket.priority) changes.priority = matrix;
    return { changes, prioritySource: changes.priority ? 'matrix' : null };
  }
  if (request.priority !== undefined && request.priority !== ticket.priority) {
    changes.priority = request.priority;
    if (!wasOverridden) changes.priorityOverridden = true;
    return { changes, prioritySource: 'manual' };
  }
  const assessed = changes.impact !== undefined || changes.urgency !== undefined;
  if (assessed && !wasOverridden && matrix && matrix !== ticket.priority) {
    changes.priority = matrix;
    return { changes, prioritySource: 'matrix' };
  }
  return { changes, prioritySource: null };
}

/** One side of a merge as the merge rules read it (ids as hex strings). */
export interface MergeSide {
  id: string;
  requesterEmail: string;
  mergedIntoId: string | null;
}

const invalidMerge = (message: string, key: string) =>
  new AppError('VALIDATION_FAILED', `Merge is invalid: intoId: ${message}`, { details: { issues: [{ path: 'intoId', message, code: 'custom', key: `errors:issue.merge.${key}` }] }, key: 'input.invalid', params: { what: 'Merge' } });

/** The CONFLICT of a merge whose tickets another merge took first. */
export const mergeTaken = () => new AppError('CONFLICT', 'One of these tickets was already merged into another one', { key: 'conflict.mergeTaken' });

/**
 * Whether `from` may be merged into `into`: two different tickets of the same requester
 * (VALIDATION_FAILED on `intoId` otherwise), neither merged elsewhere (CONFLICT). Merging a pair
 * again is allowed, so a retried merge converges.
 */
export function checkMerge(from: MergeSide, into: MergeSide): void {
  if (from.id === into.id) throw invalidMerge('is this ticket itself', 'self');
  if (from.requesterEmail !== into.requesterEmail) throw invalidMerge('belongs to another requester', 'otherRequester');
  if (into.mergedIntoId || (from.mergedIntoId && from.mergedIntoId !== into.id)) throw mergeTaken();
}

/**
 * What a merge does to the merged ticket: it is closed under the status rule, except that one
 * already closed keeps the time it was closed.
 */
export function onMerge(from: TicketStatusState, at: Date): StatusFields {
  return transition(from, 'closed', at) ?? { status: 'closed', solvedAt: from.solvedAt ?? null, closedAt: from.closedAt ?? at };
}

/**
 * The survivor's next-response clock after an agent's merge: customer mail still unanswered on the
 * merged ticket keeps it running from the older of the two waits; null leaves it as it is.
 */
export function survivorAwaitingSince(from: { sla?: SlaFields | null }, into: { sla?: SlaFields | null }): Date | null {
  const waiting = from.sla?.awaitingSince;
  return waiting && (!into.sla?.awaitingSince || waiting < into.sla.awaitingSince) ? waiting : null;
}

/* The origin key of a ticket an agent started by writing to a customer (services/tickets/start-conversation.ts). */
const AGENT_STARTED_ORIGIN = 'started:';

/** The origin key of a conversation an agent starts: per agent, and per request when the caller names one. */
export function agentStartedOrigin(agentId: string, request: string): string {
  return `${AGENT_STARTED_ORIGIN}${agentId}:${request}`;
}

/** Whether a ticket was started by an agent: its first mail is ours, so it has no customer's first response time. */
export function isAgentStarted(ticket: { originKey?: string | null }): boolean {
  return typeof ticket.originKey === 'string' && ticket.originKey.startsWith(AGENT_STARTED_ORIGIN);
}
