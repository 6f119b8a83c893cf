import { notFound, requireAdmin, type Actor } from '../access.js';
import { parseInput } from '../validate.js';
import { checkRuleNameFree, checkRuleRefs, cleanActions, cleanConditions, findRule, toRoutingRuleView, updateRoutingRuleSchema, type RoutingRuleView, type RoutingRuleWriteDeps } from './routing-rule-input.js';

/** Changes a routing rule's name, switches, conditions or actions (admins), checked as when it is added. */
export async function updateRoutingRule(deps: RoutingRuleWriteDeps, actor: Actor, id: string, input: unknown): Promise<RoutingRuleView> {
  requireAdmin(actor);
  const current = await findRule(deps, id);
  const patch = parseInput(updateRoutingRuleSchema, input, 'Routing rule');
  const conditions = patch.conditions ? cleanConditions(patch.conditions) : undefined;
  const actions = patch.actions ? cleanActions(patch.actions) : undefined;
  // Only what changes is checked: a rule naming a team since deleted can still be switched off.
  await checkRuleRefs(deps, conditions ?? [], actions ?? []);
  if (patch.name !== undefined && patch.name !== current.name) await checkRuleNameFree(deps, patch.name, current._id);
  const updated = await deps.routingRules.update(current._id, {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
    ...(patch.onReplies !== undefined ? { onReplies: patch.onReplies } : {}),
    ...(patch.stop !== undefined ? { stop: patch.stop } : {}),
    ...(conditions ? { conditions } : {}),
    ...(actions ? { actions } : {}),
  });
  if (!updated) throw notFound('Routing rule');
  return toRoutingRuleView(updated);
}
