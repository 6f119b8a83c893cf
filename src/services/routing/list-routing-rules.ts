import type { RoutingRuleStore } from '../../store/routing-rule-store.js';
import { requireAdmin, type Actor } from '../access.js';
import { toRoutingRuleView, type RoutingRuleView } from './routing-rule-input.js';

/** Every routing rule, in the order they run (admins: rules route every inbox's mail). */
export async function listRoutingRules(deps: { routingRules: Pick<RoutingRuleStore, 'listAll'> }, actor: Actor): Promise<RoutingRuleView[]> {
  requireAdmin(actor);
  return (await deps.routingRules.listAll()).map(toRoutingRuleView);
}
