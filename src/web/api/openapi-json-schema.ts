/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1). */
export type JsonSchema = Record<string, unknown>;

/** A reference to an entry of `components.schemas`. */
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** Any string. */
export const string: JsonSchema = { type: 'string' };
/** Any integer. */
export const integer: JsonSchema = { type: 'integer' };
/** True or false. */
export const boolean: JsonSchema = { type: 'boolean' };
/** An ISO 8601 date and time. */
export const dateTime: JsonSchema = { type: 'string', format: 'date-time' };
/** A MongoDB id, as the API writes it. */
export const objectId: JsonSchema = { type: 'string', pattern: '^[0-9a-f]{24}$', description: 'A 24-digit hex id.' };
/** The schema, or null. */
export const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });
/** An array whose items all match `items`. */
export const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
/** One of these strings. */
export const enumOf = (values: readonly string[]): JsonSchema => ({ type: 'string', enum: [...values] });

/** A closed object: every property listed is required unless named in `optional`, nothing else is allowed. */
export const object = (properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((key) => !optional.includes(key)),
  additionalProperties: false,
});

/** `{items: [...]}`, the shape of every list the API answers with. */
export const listOf = (name: string): JsonSchema => object({ items: arrayOf(ref(name)) });
