import { z } from 'zod';
import { AppError, isAppError } from '../../domain/errors.js';
import { TICKET_PRIORITIES, TICKET_STATUSES, type TicketStatus } from '../../domain/ticket-status.js';
import { SPAM_BLOCK_CHOICES } from '../../domain/spam.js';
import type { Actor } from '../access.js';
import { markTicketSpam, type SpamDeps } from '../spam/mark-spam.js';
import { inputIssue, invalidInput, issueMessage, parseInput } from '../validate.js';
import { mergeTicket, type MergeTicketDeps } from './merge-ticket.js';
import { updateTicket, type UpdateTicketDeps } from './update-ticket.js';
import { visibleTicket } from './visible-ticket.js';

/** The most tickets one bulk change takes: the work of a request stays bounded. */
export const BULK_MAX_TICKETS = 100;

/** What a bulk change needs: the per-ticket use cases' own dependencies. */
export type BulkUpdateDeps = UpdateTicketDeps & MergeTicketDeps & SpamDeps;

/** One bulk action: the value it takes, and how it changes one ticket through that ticket's own use case. */
interface BulkAction<V> {
  value: z.ZodType<V>;
  /** Checks the value once for the whole request (e.g. the ticket to merge into); throws VALIDATION_FAILED. */
  check?: (deps: BulkUpdateDeps, actor: Actor, value: V) => Promise<void>;
  /** True for the ticket the action leaves alone (the one kept by a merge): reported ok, not touched. */
  skip?: (id: string, value: V) => boolean;
  apply: (deps: BulkUpdateDeps, actor: Actor, id: string, value: V) => Promise<unknown>;
}

const action = <V>(a: BulkAction<V>): BulkAction<V> => a;
const tag = z.string().trim().min(1).max(50);
/** The statuses a bulk change may set: spam has its own action (it blocks the sender), not a bare status. */
const BULK_STATUSES = TICKET_STATUSES.filter((s): s is Exclude<TicketStatus, 'spam'> => s !== 'spam') as [TicketStatus, ...TicketStatus[]];

/**
 * The bulk actions, by name. Each runs the use case an agent runs on one ticket (updateTicket,
 * mergeTicket), so access checks, trail entries, SLA re-planning and notifications are the same.
 * Adding an action is adding an entry here (and its label and value control on the list page).
 */
export const BULK_ACTIONS = {
  /** A user id, or null to unassign. */
  assign: action({ value: z.string().min(1).max(64).nullable(), apply: (deps, actor, id, assigneeId) => updateTicket(deps, actor, id, { assigneeId }) }),
  /** A team id, or null for no team. */
  team: action({ value: z.string().min(1).max(64).nullable(), apply: (deps, actor, id, teamId) => updateTicket(deps, actor, id, { teamId }) }),
  status: action({ value: z.enum(BULK_STATUSES), apply: (deps, actor, id, status) => updateTicket(deps, actor, id, { status }) }),
  priority: action({ value: z.enum(TICKET_PRIORITIES), apply: (deps, actor, id, priority) => updateTicket(deps, actor, id, { priority }) }),
  addTag: action({
    value: tag,
    apply: async (deps, actor, id, added) => updateTicket(deps, actor, id, { tags: [...(await visibleTicket(deps.tickets, actor, id)).tags, added] }),
  }),
  removeTag: action({
    value: tag,
    apply: async (deps, actor, id, removed) => {
      const { tags } = await visibleTicket(deps.tickets, actor, id);
      return updateTicket(deps, actor, id, { tags: tags.filter((t) => t !== removed.toLowerCase()) });
    },
  }),
  /** The id of the ticket to keep: every other ticket is merged into it. */
  merge: action({
    value: z.string().min(1).max(64),
    check: async (deps, actor, intoId) => {
      try {
        await visibleTicket(deps.tickets, actor, intoId);
      } catch (err) {
        if (!isAppError(err, 'NOT_FOUND')) throw err;
        throw invalidInput([inputIssue('value', 'issue.bulk.mergeTarget', 'must be a ticket you can see')], 'Bulk change');
      }
    },
    skip: (id, intoId) => id === intoId,
    apply: (deps, actor, id, intoId) => mergeTicket(deps, actor, id, { intoId }),
  }),
  /** Mark as spam, also blocking each ticket's sender, their domain, or nobody (for the ticket's inbox). */
  spam: action({ value: z.enum(SPAM_BLOCK_CHOICES), apply: (deps, actor, id, block) => markTicketSpam(deps, actor, id, { block }) }),
};

/** The name of a bulk action. */
export type BulkActionName = keyof typeof BULK_ACTIONS;

/** The bulk action names, in the order the list page offers them. */
export const BULK_ACTION_NAMES = Object.keys(BULK_ACTIONS) as BulkActionName[];

const idsSchema = z
  .array(z.string().min(1).max(64))
  .min(1, issueMessage('issue.bulk.none', 'must name at least one ticket'))
  .max(BULK_MAX_TICKETS, issueMessage('issue.bulk.tooMany', `must name at most ${BULK_MAX_TICKETS} tickets at once`, { max: BULK_MAX_TICKETS }));

const requestSchema = z.strictObject({ ids: idsSchema, action: z.enum(BULK_ACTION_NAMES as [BulkActionName, ...BulkActionName[]]), value: z.unknown() });

/** `POST /tickets/bulk` as documented: one shape per action, each with the value it takes. */
export const bulkSchema = z.discriminatedUnion(
  'action',
  BULK_ACTION_NAMES.map((name) => z.strictObject({ ids: idsSchema, action: z.literal(name), value: BULK_ACTIONS[name].value as z.ZodType })) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

/** How one ticket fared: done, or the error its own use case raised (NOT_FOUND also for a ticket the actor may not see). */
export type BulkRowResult = { id: string; ok: true } | { id: string; ok: false; error: AppError };

/** A bulk change's outcome: one row per distinct id, in the order given. */
export interface BulkResult {
  action: BulkActionName;
  updated: number;
  failed: number;
  results: BulkRowResult[];
}

/**
 * Applies one action to up to {@link BULK_MAX_TICKETS} tickets, one after another, each through the
 * use case an agent runs on one ticket. A ticket that fails (hidden or missing: NOT_FOUND; merged:
 * CONFLICT; a value that does not fit it: VALIDATION_FAILED) is reported on its row and the others go
 * on. The request itself is refused (VALIDATION_FAILED) when it names no ticket or too many, an unknown
 * action, or a value the action does not take. Errors that are not AppErrors (the database failing)
 * stop the run: what was done stays done, and sending the same request again converges.
 */
export async function bulkUpdateTickets(deps: BulkUpdateDeps, actor: Actor, input: unknown): Promise<BulkResult> {
  const request = parseInput(requestSchema, input, 'Bulk change');
  const chosen = BULK_ACTIONS[request.action] as BulkAction<unknown>;
  const { value } = parseInput(z.strictObject({ value: chosen.value }), { value: request.value }, 'Bulk change');
  await chosen.check?.(deps, actor, value);
  const results: BulkRowResult[] = [];
  for (const id of new Set(request.ids)) {
    if (chosen.skip?.(id, value)) {
      results.push({ id, ok: true });
      continue;
    }
    try {
      await chosen.apply(deps, actor, id, value);
      results.push({ id, ok: true });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      results.push({ id, ok: false, error: err });
    }
  }
  const updated = results.filter((r) => r.ok).length;
  return { action: request.action, updated, failed: results.length - updated, results };
}
