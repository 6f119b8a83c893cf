import { Binary, type Db } from 'mongodb';
import { Types } from 'mongoose';

/** Every string a value holds at any depth; Binary and Buffer contents decoded as latin1 and UTF-8 (quoted-printable soft breaks joined). */
export function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Binary || Buffer.isBuffer(value)) {
    const bytes = value instanceof Binary ? Buffer.from(value.buffer) : value;
    for (const text of [bytes.toString('latin1'), bytes.toString('utf8')]) out.push(text, text.replace(/=\r?\n/g, ''));
  } else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Types.ObjectId) && (value as { _bsontype?: string })._bsontype !== 'ObjectId') {
    for (const v of Object.values(value)) stringsOf(v, out);
  }
  return out;
}

/**
 * Every trace of a person in the whole database (every collection `listCollections` names, GridFS
 * chunks included), as `collection: …` lines: a needle (lower case) in any string or byte content,
 * and a search term (`searchTerms`, any prefix) that is the start (5+ letters) of one of `words`.
 */
export async function traces(db: Db, needles: readonly string[], words: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const { name } of await db.listCollections().toArray()) {
    for await (const doc of db.collection(name).find({})) {
      for (const s of stringsOf(doc)) {
        const lower = s.toLowerCase();
        const hit = needles.find((n) => lower.includes(n));
        if (hit) found.push(`${name}: ${hit} in ${s.slice(0, 120)}`);
      }
      for (const term of Array.isArray(doc.searchTerms) ? (doc.searchTerms as string[]) : []) {
        const bare = term.replace(/^[sft]:/, '');
        if (bare.length >= 5 && words.some((w) => w.startsWith(bare))) found.push(`${name}: search term ${term}`);
      }
    }
  }
  return found;
}
