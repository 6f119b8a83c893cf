import { z } from 'zod';
import { ref, type JsonSchema } from './openapi-json-schema.js';

/** The JSON Schema of what a zod schema accepts, so a documented request body is the validated one. */
export function accepted(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
}

/** The error statuses, each answered with the Error shape; descriptions say when. */
export const ERROR_RESPONSES: Record<number, { name: string; description: string }> = {
  400: { name: 'ValidationFailed', description: 'VALIDATION_FAILED: `details.issues` names every offending field (also for a body that is not JSON).' },
  401: { name: 'Unauthenticated', description: 'UNAUTHENTICATED: no token, or it is invalid, expired or revoked.' },
  403: { name: 'Forbidden', description: 'FORBIDDEN: the caller may see this but not do it.' },
  404: { name: 'NotFound', description: "NOT_FOUND: it does not exist, or it is not the caller's." },
  409: { name: 'Conflict', description: 'CONFLICT: the change clashes with the current state.' },
  410: { name: 'Gone', description: 'GONE: it existed and is gone for good (an export already downloaded or expired).' },
  413: { name: 'PayloadTooLarge', description: 'PAYLOAD_TOO_LARGE: the body is over 1 MB.' },
  429: { name: 'RateLimited', description: 'RATE_LIMITED: too many tries in a while (failed sign-ins for this account or address, digests sent now by this user); `Retry-After` says how many seconds to wait.' },
};

/** One operation, in the few terms the routes differ by. */
export interface Operation {
  id: string;
  tag: string;
  summary: string;
  description?: string;
  /** Needs no token. */
  public?: true;
  query?: Array<Record<string, unknown>>;
  /** A `components.schemas` name; `optionalBody` when the route also works without one. */
  body?: string;
  optionalBody?: true;
  /** The schema of a `multipart/form-data` body the route also (or only, without `body`) takes: files. */
  multipart?: JsonSchema;
  /** The success status and its schema (none: no content). */
  ok: [status: number, schema?: JsonSchema, description?: string];
  /** Of a success that is not JSON. */
  mediaType?: string;
  errors?: number[];
  /** Responses that replace the generic one of a status (e.g. a 409 with its own details). */
  special?: Record<number, Record<string, unknown>>;
}

/** The OpenAPI form of one operation: path parameters, body, success and error responses. */
export function toOpenApi(path: string, op: Operation): Record<string, unknown> {
  const parameters = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  const [status, schema, description] = op.ok;
  const success = schema
    ? { description: description ?? 'OK', content: { [op.mediaType ?? 'application/json']: { schema } } }
    : { description: description ?? 'Done; no content.' };
  const errors = new Set([...(op.errors ?? []), ...(op.body || op.multipart ? [400, 413] : []), ...(op.public ? [] : [401]), ...Object.keys(op.special ?? {}).map(Number)]);
  const responses: Record<string, unknown> = { [status]: success };
  for (const code of [...errors].sort((a, b) => a - b)) {
    responses[code] = op.special?.[code] ?? { $ref: `#/components/responses/${ERROR_RESPONSES[code]!.name}` };
  }
  responses.default = { $ref: '#/components/responses/Unexpected' };
  return {
    operationId: op.id,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(op.public ? { security: [] } : {}),
    ...(parameters.length || op.query ? { parameters: [...parameters, ...(op.query ?? [])] } : {}),
    ...(op.body || op.multipart
      ? {
          requestBody: {
            required: !op.optionalBody,
            content: { ...(op.body ? { 'application/json': { schema: ref(op.body) } } : {}), ...(op.multipart ? { 'multipart/form-data': { schema: op.multipart } } : {}) },
          },
        }
      : {}),
    responses,
  };
}
