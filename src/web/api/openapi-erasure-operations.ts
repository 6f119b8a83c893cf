import type { z } from 'zod';
import { eraseSchema } from '../../services/personal-data/erase-person.js';
import { arrayOf, dateTime, enumOf, integer, nullable, object, objectId, ref, string, type JsonSchema } from './openapi-json-schema.js';
import type { Operation } from './openapi-operation.js';

/** The erasure's request body, generated from the schema the use case parses with. */
export const ERASURE_REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  ErasureInput: eraseSchema,
};

const counts = object({ tickets: integer, messages: integer, attachments: integer, outbox: integer, ratings: integer, quarantine: integer, contacts: integer });

/** The erasure's answers. */
export const ERASURE_SCHEMAS: Record<string, JsonSchema> = {
  ErasureCounts: counts,
  ErasurePreview: object({
    contactId: { ...objectId, description: 'The primary contact of the person.' },
    state: { ...nullable(enumOf(['running', 'done'])), description: 'null: never asked; `running`: cut short (posting again finishes it); `done`: erased.' },
    addresses: { ...arrayOf(string), description: 'The person’s addresses; empty once erased.' },
    counts: ref('ErasureCounts'),
    requestedAt: nullable(dateTime),
    doneAt: nullable(dateTime),
  }),
  ErasureResult: object({ contactId: objectId, state: enumOf(['done']), counts: ref('ErasureCounts'), requestedAt: dateTime, doneAt: dateTime }),
};

/** `/contacts/{id}/erasure`: erasing a person (GDPR art. 17), admins only. */
export function erasureOperations(): Record<string, Record<string, Operation>> {
  return {
    '/contacts/{id}/erasure': {
      get: {
        id: 'previewErasure', tag: 'Contacts', summary: 'What erasing a person would touch, or what their erasure did (admins)',
        description: 'Admins only (403 otherwise). Counts of the tickets, messages from or to them, attachments, mail sent to them, ratings, quarantined mail and contacts.',
        ok: [200, ref('ErasurePreview')], errors: [403, 404],
      },
      post: {
        id: 'erasePerson', tag: 'Contacts', summary: 'Erase a person: irreversible (admins)',
        description:
          'Admins only (403 otherwise). `confirmAddress` must be one of the person’s addresses (any case) and `confirm` true, else 400 naming the field. ' +
          'Their messages’ bodies, subjects, headers, attachments and raw mail, their tickets’ requester, copies and search terms, trail text, outbox copies, ratings’ comments, quarantined mail, block-list entries, export archives and contacts are anonymised or removed; ticket counts, statuses, times and metrics stay. ' +
          'Recorded first and carried out in idempotent steps: posting again finishes an erasure cut short, or answers what a finished one did. Logged as `person_erased` (counts only).',
        body: 'ErasureInput', ok: [200, ref('ErasureResult')], errors: [400, 403, 404],
      },
    },
  };
}
