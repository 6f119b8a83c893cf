import type { Types } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { IMPACT_LEVELS, URGENCY_LEVELS } from '../../domain/priority-matrix.js';
import { HEADER_OPS, MAX_ACTIONS, MAX_CONDITIONS, MAX_HEADER_NAME, MAX_HEADER_VALUE, MAX_LIST, ruleWordTerms, type RoutingAction, type RoutingCondition, type RoutingRule } from '../../domain/routing-rules.js';
import { normalizeTags } from '../../domain/ticket.js';
import { LOCALES } from '../../i18n/locales.js';
import type { CategoryStore } from '../../store/category-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { RoutingRuleDoc } from '../../store/models/routing-rule.js';
import type { RoutingRuleFields, RoutingRuleStore } from '../../store/routing-rule-store.js';
import type { TeamStore } from '../../store/team-store.js';
import type { UserStore } from '../../store/user-store.js';
import { notFound, parseObjectId } from '../access.js';
import { inputIssue, invalidInput, issueMessage, type InputIssue } from '../validate.js';

/** The longest rule name. */
export const ROUTING_RULE_NAME_MAX = 80;

/** A rule as the API and the pages show it. */
export interface RoutingRuleView extends RoutingRule {
  createdAt: Date;
  updatedAt: Date;
}

/** The stores that check what a rule names (inboxes, teams, categories, users) exists. */
export interface RoutingRefDeps {
  inboxes: Pick<InboxStore, 'findName'>;
  teams: Pick<TeamStore, 'findById'>;
  categories: Pick<CategoryStore, 'findById'>;
  users: Pick<UserStore, 'findActiveById'>;
}

/** What the rule use cases that write need. */
export type RoutingRuleWriteDeps = RoutingRefDeps & { routingRules: Pick<RoutingRuleStore, 'findById' | 'findByName' | 'create' | 'update'> };

const objectId = z.string().regex(/^[0-9a-f]{24}$/i, issueMessage('issue.routing.id', 'must be an id'));
const negate = z.boolean().optional();
const text = (max: number) => z.string().trim().min(1, issueMessage('issue.required', 'is required')).max(max);
const list = <T extends z.ZodType>(item: T) => z.array(item).min(1, issueMessage('issue.routing.listEmpty', 'must name at least one value')).max(MAX_LIST);

const condition = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('inbox'), negate, inboxIds: list(objectId) }),
  z.strictObject({ kind: z.literal('sender'), negate, values: list(text(254).regex(/^[^\s@]*@?[^\s@]+$/, issueMessage('issue.routing.sender', 'must be an address or a domain'))) }),
  z.strictObject({ kind: z.literal('subject'), negate, words: list(text(100)) }),
  z.strictObject({ kind: z.literal('body'), negate, words: list(text(100)) }),
  z.strictObject({
    kind: z.literal('header'),
    negate,
    name: text(MAX_HEADER_NAME).regex(/^[!-9;-~]+$/, issueMessage('issue.routing.headerName', 'must be a header name such as X-Priority')),
    op: z.enum(HEADER_OPS),
    value: z.string().trim().max(MAX_HEADER_VALUE).nullable().optional(),
  }),
  z.strictObject({ kind: z.literal('attachment'), negate }),
  z.strictObject({ kind: z.literal('language'), negate, languages: list(z.enum(LOCALES)) }),
  z.strictObject({ kind: z.literal('businessHours'), negate }),
]);

const action = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('team'), teamId: objectId }),
  z.strictObject({ kind: z.literal('category'), categoryId: objectId }),
  z.strictObject({ kind: z.literal('impactUrgency'), impact: z.enum(IMPACT_LEVELS).nullable(), urgency: z.enum(URGENCY_LEVELS).nullable() }),
  z.strictObject({ kind: z.literal('tags'), tags: list(z.string().trim().min(1).max(50)) }),
  z.strictObject({ kind: z.literal('assignee'), userId: objectId }),
  z.strictObject({ kind: z.literal('autoAssign'), teamId: objectId.nullable() }),
]);

const fields = {
  name: text(ROUTING_RULE_NAME_MAX),
  enabled: z.boolean(),
  onReplies: z.boolean(),
  stop: z.boolean(),
  conditions: z.array(condition).max(MAX_CONDITIONS),
  actions: z.array(action).min(1, issueMessage('issue.routing.noAction', 'must hold at least one action')).max(MAX_ACTIONS),
};

/** `POST /routing-rules`: a new rule (enabled, not on replies, not stopping unless said). */
export const createRoutingRuleSchema = z.strictObject({ ...fields, enabled: fields.enabled.optional(), onReplies: fields.onReplies.optional(), stop: fields.stop.optional() });
/** `PATCH /routing-rules/:id`: the fields to change. */
export const updateRoutingRuleSchema = z.strictObject({
  name: fields.name.optional(),
  enabled: fields.enabled.optional(),
  onReplies: fields.onReplies.optional(),
  stop: fields.stop.optional(),
  conditions: fields.conditions.optional(),
  actions: fields.actions.optional(),
});

/** A stored rule as shown. */
export function toRoutingRuleView(r: RoutingRuleDoc): RoutingRuleView {
  return {
    id: r._id.toHexString(),
    name: r.name,
    enabled: r.enabled,
    order: r.order,
    onReplies: r.onReplies,
    stop: r.stop,
    conditions: r.conditions,
    actions: r.actions,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** The rule these ids name (404 `Routing rule` for a malformed id or a missing rule). */
export async function findRule(deps: { routingRules: Pick<RoutingRuleStore, 'findById'> }, id: string): Promise<RoutingRuleDoc> {
  const ruleId = parseObjectId(id);
  const rule = ruleId ? await deps.routingRules.findById(ruleId) : null;
  if (!rule) throw notFound('Routing rule');
  return rule;
}

const oid = (id: string) => parseObjectId(id) as Types.ObjectId;

/** Conditions as stored: only the fields of their kind, lists without repeats, lower-case where case does not count. */
export function cleanConditions(conditions: ReadonlyArray<z.output<typeof condition>>): RoutingCondition[] {
  return conditions.map((c) => {
    const neg = c.negate ? { negate: true } : {};
    switch (c.kind) {
      case 'inbox':
        return { kind: c.kind, ...neg, inboxIds: [...new Set(c.inboxIds.map((i) => i.toLowerCase()))] };
      case 'sender':
        return { kind: c.kind, ...neg, values: [...new Set(c.values.map((v) => v.toLowerCase()))] };
      case 'subject':
      case 'body':
        return { kind: c.kind, ...neg, words: [...new Set(c.words)] };
      case 'header':
        return { kind: c.kind, ...neg, name: c.name, op: c.op, value: c.op === 'exists' ? null : (c.value ?? '') };
      case 'language':
        return { kind: c.kind, ...neg, languages: [...new Set(c.languages)] };
      case 'attachment':
      case 'businessHours':
        return { kind: c.kind, ...neg };
    }
  });
}

/** Actions as stored: tags normalized like the ticket's, ids lower-case. */
export function cleanActions(actions: ReadonlyArray<z.output<typeof action>>): RoutingAction[] {
  return actions.map((a) => {
    switch (a.kind) {
      case 'tags':
        return { kind: a.kind, tags: normalizeTags(a.tags) };
      case 'team':
        return { kind: a.kind, teamId: a.teamId.toLowerCase() };
      case 'category':
        return { kind: a.kind, categoryId: a.categoryId.toLowerCase() };
      case 'assignee':
        return { kind: a.kind, userId: a.userId.toLowerCase() };
      case 'autoAssign':
        return { kind: a.kind, teamId: a.teamId?.toLowerCase() ?? null };
      case 'impactUrgency':
        return { kind: a.kind, impact: a.impact, urgency: a.urgency };
    }
  });
}

/**
 * What parsing cannot see: a word with nothing searchable (only very common words), a header
 * comparison without a value, and ids naming no inbox, team, category or active user. Every
 * problem is named by its path (`conditions.2.words.0`, `actions.1.teamId`).
 */
export async function checkRuleRefs(deps: RoutingRefDeps, conditions: readonly RoutingCondition[], actions: readonly RoutingAction[]): Promise<void> {
  const issues: InputIssue[] = [];
  const checks: Array<Promise<void>> = [];
  const exists = (path: string, found: Promise<unknown>, key: string, english: string) =>
    checks.push(found.then((v) => void (v ? null : issues.push(inputIssue(path, key, english)))));
  conditions.forEach((c, i) => {
    if (c.kind === 'subject' || c.kind === 'body') {
      c.words.forEach((w, j) => {
        if (ruleWordTerms(w).length === 0) issues.push(inputIssue(`conditions.${i}.words.${j}`, 'issue.searchCommonWordsOnly', 'has only very common words; add a more specific one'));
      });
    }
    if (c.kind === 'header' && c.op !== 'exists' && !c.value) issues.push(inputIssue(`conditions.${i}.value`, 'issue.routing.headerValue', 'is required to compare a header'));
    if (c.kind === 'inbox') c.inboxIds.forEach((id, j) => exists(`conditions.${i}.inboxIds.${j}`, deps.inboxes.findName(oid(id)), 'issue.inboxMissing', 'names an inbox that does not exist'));
  });
  actions.forEach((a, i) => {
    if (a.kind === 'team' || (a.kind === 'autoAssign' && a.teamId)) exists(`actions.${i}.teamId`, deps.teams.findById(oid(a.teamId!)), 'issue.routing.teamMissing', 'names a team that does not exist');
    if (a.kind === 'category') {
      checks.push(deps.categories.findById(oid(a.categoryId)).then((cat) => void (cat && !cat.archived ? null : issues.push(inputIssue(`actions.${i}.categoryId`, 'issue.routing.categoryMissing', 'names no category that can be chosen')))));
    }
    if (a.kind === 'assignee') exists(`actions.${i}.userId`, deps.users.findActiveById(oid(a.userId)), 'issue.routing.userMissing', 'names no active user');
  });
  await Promise.all(checks);
  if (issues.length > 0) throw invalidInput(issues.sort((a, b) => a.path.localeCompare(b.path)), 'Routing rule');
}

/** CONFLICT when another rule already has this name. */
export async function checkRuleNameFree(deps: { routingRules: Pick<RoutingRuleStore, 'findByName'> }, name: string, self?: Types.ObjectId): Promise<void> {
  const other = await deps.routingRules.findByName(name);
  if (other && !(self && other._id.equals(self))) {
    throw new AppError('CONFLICT', `A routing rule named ${name} already exists`, { key: 'conflict.routingRuleNameTaken', params: { name } });
  }
}

/** The stored fields of a parsed rule. */
export function ruleFields(input: z.output<typeof createRoutingRuleSchema>): RoutingRuleFields {
  return {
    name: input.name,
    enabled: input.enabled ?? true,
    onReplies: input.onReplies ?? false,
    stop: input.stop ?? false,
    conditions: cleanConditions(input.conditions),
    actions: cleanActions(input.actions),
  };
}
