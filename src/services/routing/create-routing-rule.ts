import { requireAdmin, type Actor } from '../access.js';
import { parseInput } from '../validate.js';
import { checkRuleNameFree, checkRuleRefs, createRoutingRuleSchema, ruleFields, toRoutingRuleView, type RoutingRuleView, type RoutingRuleWriteDeps } from './routing-rule-input.js';

/**
 * Adds a routing rule after the last one (admins). Its name is unique (CONFLICT); every condition
 * and action is checked, and what it names (inboxes, teams, categories, users) must exist: each
 * problem is reported by its field (VALIDATION_FAILED).
 */
export async function createRoutingRule(deps: RoutingRuleWriteDeps, actor: Actor, input: unknown): Promise<RoutingRuleView> {
  requireAdmin(actor);
  const fields = ruleFields(parseInput(createRoutingRuleSchema, input, 'Routing rule'));
  await checkRuleRefs(deps, fields.conditions, fields.actions);
  await checkRuleNameFree(deps, fields.name);
  return toRoutingRuleView(await deps.routingRules.create(fields));
}
