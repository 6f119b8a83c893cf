import type { Types } from 'mongoose';
import { compileRoutingRules, rawHeaders, routingMailFacts, type CompiledRoutingRules, type RoutedAction, type RoutingMailFacts } from '../../domain/routing-rules.js';
import { decidePriority, normalizeTags, sameTags } from '../../domain/ticket.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { CategoryStore } from '../../store/category-store.js';
import type { ContactStore } from '../../store/contact-store.js';
import type { MessageDoc } from '../../store/models/message.js';
import type { TicketDoc } from '../../store/models/ticket.js';
import type { RoutingRuleDoc } from '../../store/models/routing-rule.js';
import type { RoutingRuleStore } from '../../store/routing-rule-store.js';
import type { TeamStore } from '../../store/team-store.js';
import type { TicketFieldChanges } from '../../store/ticket-store.js';
import type { UserStore } from '../../store/user-store.js';
import { parseObjectId } from '../access.js';
import { choosableFor } from '../categories/categories.js';

/** A stored rule as the domain evaluates it. */
export function toDomainRule(r: RoutingRuleDoc) {
  return { id: r._id.toHexString(), name: r.name, enabled: r.enabled, order: r.order, onReplies: r.onReplies, stop: r.stop, conditions: r.conditions, actions: r.actions };
}

const compiledByStore = new WeakMap<object, { version: string; compiled: CompiledRoutingRules }>();

/**
 * The rule set, compiled once per version of it (a rule added, changed, moved or removed makes a
 * new version): each mail then costs one cheap version read, not a compile.
 */
export async function loadCompiledRules(deps: { routingRules: Pick<RoutingRuleStore, 'version' | 'listAll'> }): Promise<CompiledRoutingRules> {
  const version = await deps.routingRules.version();
  const cached = compiledByStore.get(deps.routingRules);
  if (cached?.version === version) return cached.compiled;
  const compiled = compileRoutingRules((await deps.routingRules.listAll()).map(toDomainRule));
  compiledByStore.set(deps.routingRules, { version, compiled });
  return compiled;
}

/**
 * What reading a stored mail's facts needs: its raw source, for headers, and the customer's
 * language as ingest detected and remembered it (services/ingest/customer-locale.ts), each only
 * when a rule reads it.
 */
export interface RoutingFactsDeps {
  blobs: Pick<BlobStore, 'read'>;
  contacts: Pick<ContactStore, 'findLocaleByEmail'>;
}

/**
 * The facts of a stored received mail for the rules at hand: the headers are read from the raw
 * header block, and the language is the one ingest detected from the customer's mail and remembered
 * for them (not detected again), each only when a rule needs it.
 */
export async function storedMailFacts(
  deps: RoutingFactsDeps,
  compiled: Pick<CompiledRoutingRules, 'needsHeaders' | 'needsLanguage'>,
  m: Pick<MessageDoc, 'inboxId' | 'from' | 'subject' | 'text' | 'attachments' | 'raw'>,
  isReply: boolean,
): Promise<RoutingMailFacts> {
  const sender = m.from?.address?.toLowerCase() ?? null;
  const [headers, language] = await Promise.all([
    compiled.needsHeaders && m.raw ? deps.blobs.read(m.raw.fileId).then(rawHeaders) : null,
    compiled.needsLanguage && sender ? deps.contacts.findLocaleByEmail(sender) : null,
  ]);
  return routingMailFacts({
    inboxId: m.inboxId.toHexString(),
    from: m.from?.address ?? null,
    subject: m.subject ?? '',
    text: m.text ?? '',
    headers,
    attachments: m.attachments,
    language,
    isReply,
  });
}

/** The teams, categories and users routed actions name, read once. */
export interface RoutingRefs {
  teams: Map<string, { _id: Types.ObjectId; name: string; level: string; inboxIds: Types.ObjectId[] }>;
  categories: Map<string, { _id: Types.ObjectId; name: string; inboxId: Types.ObjectId | null; archived: boolean }>;
  users: Map<string, { _id: Types.ObjectId; name?: string | null; email: string; role: string; inboxIds: Types.ObjectId[] }>;
}

/** The stores {@link readRefs} reads. */
export interface RoutingRefReadDeps {
  teams: Pick<TeamStore, 'listByIds'>;
  categories: Pick<CategoryStore, 'findById'>;
  users: Pick<UserStore, 'findActiveById'>;
}

/** Reads what these actions name, in a few round trips. */
export async function readRefs(deps: RoutingRefReadDeps, actions: readonly RoutedAction[]): Promise<RoutingRefs> {
  const ids = (pick: (a: RoutedAction['action']) => string | null | undefined) => [...new Set(actions.map((a) => pick(a.action)).filter((id): id is string => Boolean(id)))];
  const teamIds = ids((a) => (a.kind === 'team' || a.kind === 'autoAssign' ? a.teamId : null));
  const categoryIds = ids((a) => (a.kind === 'category' ? a.categoryId : null));
  const userIds = ids((a) => (a.kind === 'assignee' ? a.userId : null));
  const valid = (list: string[]) => list.flatMap((id) => parseObjectId(id) ?? []);
  const [teams, categories, users] = await Promise.all([
    teamIds.length > 0 ? deps.teams.listByIds(valid(teamIds)) : [],
    Promise.all(valid(categoryIds).map((id) => deps.categories.findById(id))),
    Promise.all(valid(userIds).map((id) => deps.users.findActiveById(id))),
  ]);
  return {
    teams: new Map(teams.map((t) => [t._id.toHexString(), t])),
    categories: new Map(categories.flatMap((c) => (c ? [[c._id.toHexString(), c] as const] : []))),
    users: new Map(users.flatMap((u) => (u ? [[u._id.toHexString(), u] as const] : []))),
  };
}

/** One applied action as the trail records it (`routed`): the rule's name and what changed. */
export interface RoutedChange {
  rule: string;
  ruleId: string;
  action: RoutedAction['action']['kind'];
  /** What changed, for the trail and the dry-run (names as they were, so they read the same after a rename). */
  detail: Record<string, unknown>;
}

/** What routing would change on a ticket: field changes, the trail entries, and an auto-assignment to ask for. */
export interface RoutingPlan {
  changes: TicketFieldChanges;
  applied: RoutedChange[];
  /** The team whose auto-assignment should pick an assignee (after the changes are written), or null. */
  autoAssignTeamId: Types.ObjectId | null;
  /** Actions that could not apply (a team that does not work the inbox, a deleted category …), with why. */
  skipped: Array<{ rule: string; action: string; reason: string }>;
}

type PlanTicket = Pick<TicketDoc, 'inboxId' | 'teamId' | 'categoryId' | 'impact' | 'urgency' | 'priority' | 'priorityOverridden' | 'tags' | 'assigneeId'>;

/**
 * Plans the routed actions on a ticket as it is: an action that changes nothing (the team it already
 * has, tags it carries) is left out, so planning again after the write plans nothing. A team must
 * work the ticket's inbox, a category be choosable there, an assignee be an active user who may see
 * the inbox; auto-assignment only asks for an unassigned ticket.
 */
export function planRouting(ticket: PlanTicket, actions: readonly RoutedAction[], refs: RoutingRefs): RoutingPlan {
  const changes: TicketFieldChanges = {};
  const applied: RoutedChange[] = [];
  const skipped: RoutingPlan['skipped'] = [];
  let autoAssignTeamId: Types.ObjectId | null = null;
  const state = { ...ticket };
  for (const { rule, ruleId, action } of actions) {
    const done = (detail: Record<string, unknown>) => applied.push({ rule, ruleId, action: action.kind, detail });
    const skip = (reason: string) => skipped.push({ rule, action: action.kind, reason });
    switch (action.kind) {
      case 'team': {
        const team = refs.teams.get(action.teamId);
        if (!team || !team.inboxIds.some((i) => i.equals(ticket.inboxId))) {
          skip('team-not-of-inbox');
          break;
        }
        if (state.teamId?.equals(team._id)) break;
        changes.teamId = team._id;
        done({ from: state.teamId ?? null, to: team._id, name: team.name, level: team.level });
        state.teamId = team._id;
        break;
      }
      case 'category': {
        const category = refs.categories.get(action.categoryId);
        if (!category || !choosableFor(category, ticket.inboxId)) {
          skip('category-not-choosable');
          break;
        }
        if (state.categoryId?.equals(category._id)) break;
        changes.categoryId = category._id;
        done({ from: state.categoryId ?? null, to: category._id, name: category.name });
        state.categoryId = category._id;
        break;
      }
      case 'impactUrgency': {
        const decision = decidePriority(state, { impact: action.impact, urgency: action.urgency });
        if (Object.keys(decision.changes).length === 0) break;
        Object.assign(changes, decision.changes);
        Object.assign(state, decision.changes);
        done({ impact: action.impact, urgency: action.urgency, priority: decision.changes.priority ?? null });
        break;
      }
      case 'tags': {
        const tags = normalizeTags([...state.tags, ...action.tags]);
        if (sameTags(tags, state.tags)) break;
        const added = tags.filter((t) => !state.tags.includes(t));
        changes.tags = tags;
        state.tags = tags;
        done({ added });
        break;
      }
      case 'assignee': {
        const user = refs.users.get(action.userId);
        if (!user || (user.role !== 'admin' && !user.inboxIds.some((i) => i.equals(ticket.inboxId)))) {
          skip('assignee-not-of-inbox');
          break;
        }
        if (state.assigneeId?.equals(user._id)) break;
        changes.assigneeId = user._id;
        done({ from: state.assigneeId ?? null, to: user._id, name: user.name || user.email });
        state.assigneeId = user._id;
        break;
      }
      case 'autoAssign': {
        // Auto-assignment picks among the members of the ticket's team: a named team becomes the ticket's
        // team first, unless an earlier rule already decided another one.
        const named = action.teamId ? refs.teams.get(action.teamId) : undefined;
        if (action.teamId && named && !state.teamId?.equals(named._id)) {
          if (changes.teamId !== undefined || !named.inboxIds.some((i) => i.equals(ticket.inboxId))) {
            skip(changes.teamId !== undefined ? 'team-decided' : 'team-not-of-inbox');
            break;
          }
          changes.teamId = named._id;
          applied.push({ rule, ruleId, action: 'team', detail: { from: state.teamId ?? null, to: named._id, name: named.name, level: named.level } });
          state.teamId = named._id;
        }
        if (action.teamId && !named) {
          skip('team-not-of-inbox');
          break;
        }
        const teamId = state.teamId ?? null;
        if (!teamId) {
          skip('no-team');
          break;
        }
        if (state.assigneeId) break;
        autoAssignTeamId = teamId;
        done({ teamId, name: refs.teams.get(teamId.toHexString())?.name ?? null });
        break;
      }
    }
  }
  return { changes, applied, autoAssignTeamId, skipped };
}

/** Adds to `refs` the ticket's own team (auto-assignment to "the ticket's team" names it). */
export async function withTicketTeam(deps: { teams: Pick<TeamStore, 'listByIds'> }, refs: RoutingRefs, teamId: Types.ObjectId | null | undefined): Promise<RoutingRefs> {
  if (!teamId || refs.teams.has(teamId.toHexString())) return refs;
  for (const t of await deps.teams.listByIds([teamId])) refs.teams.set(t._id.toHexString(), t);
  return refs;
}
