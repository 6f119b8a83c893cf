import { randomBytes } from 'node:crypto';
import { BSON, Long } from 'bson';
import { ErrorCodes, MongoError } from './errors.js';
import type { Doc } from './values.js';

const DEFAULT_FIRST_BATCH = 101;
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  ns: string;
  docs: Doc[];
  pos: number;
  lastUsed: number;
}

/** A reply's `cursor` sub-document. */
export interface CursorReply {
  id: Long;
  ns: string;
  firstBatch?: Doc[];
  nextBatch?: Doc[];
}

/** Server-side cursors over materialised result sets, paged by find/aggregate and getMore. */
export class CursorManager {
  private readonly open = new Map<bigint, OpenCursor>();

  private takeBatch(c: OpenCursor, batchSize: number | undefined): Doc[] {
    const max = batchSize === undefined || batchSize <= 0 ? Infinity : batchSize;
    const out: Doc[] = [];
    let bytes = 0;
    while (c.pos < c.docs.length && out.length < max) {
      const d = c.docs[c.pos] as Doc;
      bytes += BSON.calculateObjectSize(d, { ignoreUndefined: true });
      if (bytes > MAX_BATCH_BYTES && out.length > 0) break;
      out.push(d);
      c.pos++;
    }
    return out;
  }

  /** Starts a cursor: the first batch and, when documents remain, a live cursor id. */
  start(ns: string, docs: Doc[], batchSize: number | undefined, singleBatch = false): CursorReply {
    this.sweep();
    const c: OpenCursor = { ns, docs, pos: 0, lastUsed: Date.now() };
    const firstBatch = batchSize === 0 ? [] : this.takeBatch(c, batchSize ?? DEFAULT_FIRST_BATCH);
    if (singleBatch || c.pos >= docs.length) return { firstBatch, id: Long.ZERO, ns };
    const id = this.newId();
    this.open.set(id, c);
    return { firstBatch, id: Long.fromBigInt(id), ns };
  }

  /** Next batch of a cursor; the id becomes 0 once it is exhausted. */
  getMore(id: Long, ns: string, batchSize: number | undefined): CursorReply {
    const key = id.toBigInt();
    const c = this.open.get(key);
    if (!c) throw new MongoError(ErrorCodes.CursorNotFound, `cursor id ${key} not found`);
    if (c.ns !== ns) throw new MongoError(ErrorCodes.Unauthorized, `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${c.ns}`);
    c.lastUsed = Date.now();
    const nextBatch = this.takeBatch(c, batchSize);
    if (c.pos >= c.docs.length) {
      this.open.delete(key);
      return { nextBatch, id: Long.ZERO, ns };
    }
    return { nextBatch, id, ns };
  }

  /** Kills cursors; returns which ids were found. */
  kill(ids: Long[]): { killed: Long[]; notFound: Long[] } {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids) (this.open.delete(id.toBigInt()) ? killed : notFound).push(id);
    return { killed, notFound };
  }

  closeAll(): void {
    this.open.clear();
  }

  private newId(): bigint {
    for (;;) {
      const id = randomBytes(8).readBigInt64LE() & 0x7fffffffffffffffn;
      if (id !== 0n && !this.open.has(id)) return id;
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, c] of this.open) if (now - c.lastUsed > IDLE_TIMEOUT_MS) this.open.delete(id);
  }
}
