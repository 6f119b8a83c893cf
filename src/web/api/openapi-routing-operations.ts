import type { z } from 'zod';
import { HEADER_OPS, ROUTING_ACTION_KINDS, ROUTING_CONDITION_KINDS } from '../../domain/routing-rules.js';
import { reorderSchema } from '../../services/routing/reorder-routing-rules.js';
import { createRoutingRuleSchema, updateRoutingRuleSchema } from '../../services/routing/routing-rule-input.js';
import { arrayOf, boolean, dateTime, enumOf, integer, object, objectId, ref, string, listOf, type JsonSchema } from './openapi-json-schema.js';
import type { Operation } from './openapi-operation.js';

/** The routing rules' request bodies, generated from the schemas the use cases parse with. */
export const ROUTING_REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  RoutingRuleCreate: createRoutingRuleSchema,
  RoutingRuleUpdate: updateRoutingRuleSchema,
  RoutingRuleOrder: reorderSchema,
};

const looseObject = (description: string): JsonSchema => ({ type: 'object', description });

/** The routing rules' answers. */
export const ROUTING_SCHEMAS: Record<string, JsonSchema> = {
  RoutingRule: object({
    id: objectId,
    name: string,
    enabled: boolean,
    order: { ...integer, description: 'Rules run in ascending order.' },
    onReplies: { ...boolean, description: 'Also run on customer replies, not only on new tickets.' },
    stop: { ...boolean, description: 'No later rule runs after this one matched.' },
    conditions: arrayOf({ ...looseObject(`One of the kinds ${ROUTING_CONDITION_KINDS.join(', ')}, with \`negate\`; a header condition compares with ${HEADER_OPS.join(', ')}.`), properties: { kind: enumOf(ROUTING_CONDITION_KINDS) } }),
    actions: arrayOf({ ...looseObject(`One of the kinds ${ROUTING_ACTION_KINDS.join(', ')}.`), properties: { kind: enumOf(ROUTING_ACTION_KINDS) } }),
    createdAt: dateTime,
    updatedAt: dateTime,
  }),
  RoutingDryRun: object({
    ruleId: objectId,
    rule: string,
    examined: { ...integer, description: 'How many of the newest tickets were read (at most 200).' },
    matches: arrayOf(object({
      ticketId: objectId,
      number: integer,
      subject: string,
      changes: arrayOf(object({ action: enumOf(ROUTING_ACTION_KINDS), detail: looseObject('What would change: `from`, `to` and `name` for a team, category or assignee; `added` tags; `impact`, `urgency` and the resulting `priority`.') })),
      skipped: arrayOf(object({ action: enumOf(ROUTING_ACTION_KINDS), reason: string })),
    })),
  }),
};

/** `/routing-rules`: admins only (403 for anyone else). */
export function routingOperations(): Record<string, Record<string, Operation>> {
  const admins = 'Admins only.';
  return {
    '/routing-rules': {
      get: { id: 'listRoutingRules', tag: 'Routing', summary: 'The routing rules, in the order they run (admins)', ok: [200, listOf('RoutingRule')], errors: [403] },
      post: {
        id: 'createRoutingRule', tag: 'Routing', summary: 'Add a routing rule, run after the others (admins)',
        description: `${admins} Conditions all hold for a rule to match: inbox, sender address or domain, subject or body words (matched as search matches them: any case, any accents, stemmed in English and French), header (exists, contains, equals), attachment, detected language, within business hours; each may be negated. Actions: team, category, impact and urgency, tags, assignee, auto-assign. The first rule that sets a field decides it; tags add up; \`stop\` ends the evaluation. Names must be unique (409); every named inbox, team, category and user must exist (400, naming the field).`,
        body: 'RoutingRuleCreate', ok: [201, ref('RoutingRule')], errors: [400, 403, 409],
      },
    },
    '/routing-rules/reorder': {
      post: { id: 'reorderRoutingRules', tag: 'Routing', summary: 'Set the order the routing rules run in (admins)', description: '`ids` names every rule exactly once (400 otherwise), first to run first.', body: 'RoutingRuleOrder', ok: [200, listOf('RoutingRule')], errors: [400, 403] },
    },
    '/routing-rules/{id}': {
      get: { id: 'getRoutingRule', tag: 'Routing', summary: 'One routing rule (admins)', ok: [200, ref('RoutingRule')], errors: [403, 404] },
      patch: { id: 'updateRoutingRule', tag: 'Routing', summary: 'Change a routing rule (admins)', description: 'A field left out stays as it is; `conditions` and `actions` replace the lists.', body: 'RoutingRuleUpdate', ok: [200, ref('RoutingRule')], errors: [400, 403, 404, 409] },
      delete: { id: 'deleteRoutingRule', tag: 'Routing', summary: 'Remove a routing rule (admins)', description: 'What it did stays on the tickets\' trails.', ok: [204], errors: [403, 404] },
    },
    '/routing-rules/{id}/dry-run': {
      post: {
        id: 'dryRunRoutingRule', tag: 'Routing', summary: 'Which of the newest 200 tickets a rule would match, and what it would change (admins)',
        description: 'Reads the mail that opened each ticket, as if the rule were enabled and alone; changes nothing.',
        ok: [200, ref('RoutingDryRun')], errors: [403, 404],
      },
    },
  };
}
