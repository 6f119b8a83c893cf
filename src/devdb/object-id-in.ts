import type { ObjectId } from 'bson';
import { bsonTag, isPlainObject, type Doc } from './values.js';

/*
 * `{field: {$in: [ObjectId, …]}}` at the top level of a filter (the messages of a page of tickets,
 * the tickets of a list of ids), tested by a set of hex ids: mingo's `$in` hashes every member of the
 * list for each document it tests, which made reading the mails of 50 tickets cost more than finding
 * them. Only a document whose field is an ObjectId is answered here; any other value (missing, an
 * array, another type) is left to mingo with that condition alone, so results never depend on this path.
 */

/** One such condition: its field, the ids as hex, and the condition as written (for mingo). */
export interface ObjectIdInCondition {
  field: string;
  ids: Set<string>;
  source: Doc;
}

const isObjectId = (v: unknown): v is ObjectId => bsonTag(v) === 'ObjectId';

/** Splits a filter's top-level `$in` lists of ObjectIds from the rest. */
export function splitObjectIdIn(filter: Doc): { conditions: ObjectIdInCondition[]; rest: Doc } {
  const conditions: ObjectIdInCondition[] = [];
  const rest: Doc = {};
  for (const [k, v] of Object.entries(filter)) {
    const list = !k.startsWith('$') && !k.includes('.') && isPlainObject(v) && Object.keys(v).length === 1 ? v.$in : undefined;
    if (Array.isArray(list) && list.length > 0 && list.every(isObjectId)) conditions.push({ field: k, ids: new Set(list.map((id) => id.toHexString())), source: { [k]: v } });
    else rest[k] = v;
  }
  return { conditions, rest };
}

/** Whether the document meets the conditions; `fallback(i, doc)` answers condition i where its field is no ObjectId. */
export function testObjectIdIn(conditions: readonly ObjectIdInCondition[], doc: Doc, fallback: (i: number, doc: Doc) => boolean): boolean {
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i] as ObjectIdInCondition;
    const v = doc[c.field];
    if (!(isObjectId(v) ? c.ids.has(v.toHexString()) : fallback(i, doc))) return false;
  }
  return true;
}
