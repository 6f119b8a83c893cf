import type { RoutingRuleStore } from '../../store/routing-rule-store.js';
import { requireAdmin, type Actor } from '../access.js';
import { findRule, toRoutingRuleView, type RoutingRuleView } from './routing-rule-input.js';

/** One routing rule (admins); 404 when it does not exist. */
export async function getRoutingRule(deps: { routingRules: Pick<RoutingRuleStore, 'findById'> }, actor: Actor, id: string): Promise<RoutingRuleView> {
  requireAdmin(actor);
  return toRoutingRuleView(await findRule(deps, id));
}
