import { z } from 'zod';
import type { RoutingRuleStore } from '../../store/routing-rule-store.js';
import { parseObjectId, requireAdmin, type Actor } from '../access.js';
import { inputIssue, invalidInput, parseInput } from '../validate.js';
import { findRule, toRoutingRuleView, type RoutingRuleView } from './routing-rule-input.js';

type ReorderDeps = { routingRules: Pick<RoutingRuleStore, 'listAll' | 'setOrder' | 'findById'> };

/** `POST /routing-rules/reorder`: every rule's id, in the order they should run. */
export const reorderSchema = z.strictObject({ ids: z.array(z.string()).max(1000) });

/**
 * Sets the order the rules run in (admins): `ids` must name every rule exactly once, so a list
 * read before another admin added a rule is refused rather than losing it (VALIDATION_FAILED on `ids`).
 */
export async function reorderRoutingRules(deps: ReorderDeps, actor: Actor, input: unknown): Promise<RoutingRuleView[]> {
  requireAdmin(actor);
  const { ids } = parseInput(reorderSchema, input, 'Routing rule order');
  const rules = await deps.routingRules.listAll();
  const known = new Set(rules.map((r) => r._id.toHexString()));
  const given = ids.map((id) => id.toLowerCase());
  if (given.length !== known.size || new Set(given).size !== given.length || !given.every((id) => known.has(id))) {
    throw invalidInput([inputIssue('ids', 'issue.routing.orderIds', 'must name every routing rule exactly once')], 'Routing rule order');
  }
  await deps.routingRules.setOrder(given.map((id) => parseObjectId(id)!));
  return (await deps.routingRules.listAll()).map(toRoutingRuleView);
}

/** Moves one rule a step up (earlier) or down (later) among the others (admins): the settings page's arrows. */
export async function moveRoutingRule(deps: ReorderDeps, actor: Actor, id: string, direction: 'up' | 'down'): Promise<RoutingRuleView[]> {
  requireAdmin(actor);
  const rule = await findRule(deps, id);
  const ids = (await deps.routingRules.listAll()).map((r) => r._id);
  const at = ids.findIndex((i) => i.equals(rule._id));
  const to = direction === 'up' ? at - 1 : at + 1;
  if (at >= 0 && to >= 0 && to < ids.length) {
    [ids[at], ids[to]] = [ids[to]!, ids[at]!];
    await deps.routingRules.setOrder(ids);
  }
  return (await deps.routingRules.listAll()).map(toRoutingRuleView);
}
