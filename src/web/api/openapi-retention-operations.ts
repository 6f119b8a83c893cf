import type { z } from 'zod';
import { MAX_RETENTION_MONTHS, RETENTION_ACTIONS } from '../../domain/retention.js';
import { retentionSchema } from '../../services/retention/retention-policy.js';
import { dateTime, enumOf, integer, nullable, object, objectId, ref, type JsonSchema } from './openapi-json-schema.js';
import type { Operation } from './openapi-operation.js';

/** The retention routes' request bodies, generated from the schema the use cases parse with. */
export const RETENTION_REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  RetentionPolicyInput: retentionSchema,
};

const policy = object({
  months: { ...nullable({ ...integer, minimum: 1, maximum: MAX_RETENTION_MONTHS }), description: 'Closed tickets are kept this many months; null: retention off (the default).' },
  action: { ...enumOf(RETENTION_ACTIONS), description: '"anonymise": people, texts, attachments and raw mail removed, counts and timings kept; "delete": the whole ticket.' },
});

/** An inbox's retention policy and what its next run would touch. */
export const RETENTION_SCHEMAS: Record<string, JsonSchema> = {
  InboxRetention: object({
    inboxId: objectId,
    policy,
    preview: {
      ...object({
        action: enumOf(RETENTION_ACTIONS),
        months: nullable(integer),
        cutoff: { ...nullable(dateTime), description: 'Tickets closed before this time are due; null while retention is off.' },
        tickets: { ...integer, description: 'How many tickets the next run would anonymise or delete (counted with the filter the run uses).' },
      }),
      description: 'What the daily run (02:30 UTC) would touch if it ran now.',
    },
  }),
};

/** `/inboxes/{id}/retention`: how long an inbox keeps closed tickets, and what then becomes of them. */
export function retentionOperations(): Record<string, Record<string, Operation>> {
  const due = 'Only closed tickets count, from their closing time (a solved ticket counts once auto-close closes it); tickets in Spam never.';
  return {
    '/inboxes/{id}/retention': {
      get: {
        id: 'getInboxRetention', tag: 'Inboxes', summary: "The inbox's retention policy and what the next run would touch (admins and managers of the inbox)",
        description: due, ok: [200, ref('InboxRetention')], errors: [403, 404],
      },
      put: {
        id: 'putInboxRetention', tag: 'Inboxes', summary: "Replace the inbox's retention policy (admins)",
        description: `${due} The daily run anonymises or deletes the due tickets in batches; each anonymised ticket gets an \`anonymised\` trail entry and each run a \`retention_applied\` access-log entry per inbox with the count. Deletion cannot be undone.`,
        body: 'RetentionPolicyInput', ok: [200, ref('InboxRetention')], errors: [403, 404],
      },
    },
    '/inboxes/{id}/retention/preview': {
      post: {
        id: 'previewInboxRetention', tag: 'Inboxes', summary: 'What a retention policy would touch, without saving it (admins and managers of the inbox)',
        description: due, body: 'RetentionPolicyInput', ok: [200, ref('InboxRetention')], errors: [403, 404],
      },
    },
  };
}
