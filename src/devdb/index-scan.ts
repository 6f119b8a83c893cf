import type { Index } from './indexes.js';
import { encodeBound, encodeKeyPrefix, invert, prefixEnd, ridOf } from './key-encoding.js';

/** Value-space bounds on the index field right after the equality prefix. */
export interface KeyRange {
  lo?: unknown;
  loInc?: boolean;
  hi?: unknown;
  hiInc?: boolean;
}

/** What to walk: one equality point per prefix field list, an optional range, a direction. */
export interface ScanSpec {
  index: Index;
  prefix: unknown[][];
  range?: KeyRange;
  reverse: boolean;
  /** Keep index order across several equality points (k-way merge). */
  ordered: boolean;
}

/** An index entry and where its key suffix (after the equality point) starts. */
interface Entry {
  bytes: Buffer;
  suffix: number;
}

function cartesian(lists: unknown[][]): unknown[][] {
  let out: unknown[][] = [[]];
  for (const l of lists) out = out.flatMap((p) => l.map((v) => [...p, v]));
  return out;
}

/* The byte interval [lower, upper) holding the entries of one equality point within the range. */
function byteBounds(spec: ScanSpec, point: unknown[]): { lower: Buffer; upper: Buffer | undefined; suffix: number } | null {
  const ix = spec.index;
  const k = point.length;
  const p = encodeKeyPrefix(point, ix.dirs);
  const r = spec.range;
  if (!r || k >= ix.fields.length || r.lo === undefined || r.hi === undefined) return { lower: p, upper: p.length ? prefixEnd(p) : undefined, suffix: p.length };
  const lo = encodeBound(r.lo);
  const hi = encodeBound(r.hi);
  // A cut (very long) bound can only be used inclusively; the filter re-check drops the extras.
  const loInc = r.loInc === true || !lo.exact;
  const hiInc = r.hiInc === true || !hi.exact;
  const at = (b: Buffer): Buffer => Buffer.concat([p, ix.dirs[k] === -1 ? invert(Buffer.from(b)) : b]);
  let lower: Buffer | undefined;
  let upper: Buffer | undefined;
  if (ix.dirs[k] === -1) {
    lower = hiInc ? at(hi.bytes) : prefixEnd(at(hi.bytes));
    upper = loInc ? prefixEnd(at(lo.bytes)) : at(lo.bytes);
  } else {
    lower = loInc ? at(lo.bytes) : prefixEnd(at(lo.bytes));
    upper = hiInc ? prefixEnd(at(hi.bytes)) : at(hi.bytes);
  }
  if (!lower) return null;
  return { lower, upper, suffix: p.length };
}

/** Entries of one equality point, in index order (or reversed), within the range. */
function* scanPoint(spec: ScanSpec, point: unknown[], counter: { keys: number }): Generator<Entry> {
  const b = byteBounds(spec, point);
  if (!b || (b.upper && Buffer.compare(b.lower, b.upper) >= 0)) return;
  for (const bytes of spec.index.entries.range(b.lower, b.upper, spec.reverse)) {
    counter.keys++;
    yield { bytes, suffix: b.suffix };
  }
}

/* Merges per-point walks into one stream ordered like the index suffix after the prefix. */
function* merge(spec: ScanSpec, points: unknown[][], counter: { keys: number }): Generator<number> {
  const sign = spec.reverse ? -1 : 1;
  const cmp = (a: Entry, b: Entry): number => Buffer.compare(a.bytes.subarray(a.suffix), b.bytes.subarray(b.suffix)) * sign;
  const iters = points.map((p) => scanPoint(spec, p, counter));
  const heads: Array<Entry | undefined> = iters.map((it) => it.next().value ?? undefined);
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h && (best < 0 || cmp(h, heads[best] as Entry) < 0)) best = i;
    }
    if (best < 0) return;
    yield ridOf((heads[best] as Entry).bytes);
    heads[best] = (iters[best] as Generator<Entry>).next().value ?? undefined;
  }
}

/** Record ids selected by a scan spec; each record at most once. */
export function* scanIndex(spec: ScanSpec, counter: { keys: number }): Generator<number> {
  const points = cartesian(spec.prefix);
  const seen = spec.index.multikey ? new Set<number>() : undefined;
  if (spec.ordered && points.length > 1) {
    // A document under several of the points (an array holding two of the values) comes once.
    for (const rid of merge(spec, points, counter)) {
      if (seen) {
        if (seen.has(rid)) continue;
        seen.add(rid);
      }
      yield rid;
    }
    return;
  }
  for (const p of points) {
    for (const e of scanPoint(spec, p, counter)) {
      const rid = ridOf(e.bytes);
      if (seen) {
        if (seen.has(rid)) continue;
        seen.add(rid);
      }
      yield rid;
    }
  }
}

/**
 * The index entries a scan spec walks, counted no further than `cap`: what a walk that must read
 * all its candidates (to sort them) will read, or more on a multikey index, where a document may
 * sit under several of its entries.
 */
export function countIndex(spec: Omit<ScanSpec, 'reverse' | 'ordered'>, cap: number): number {
  let n = 0;
  for (const p of cartesian(spec.prefix)) {
    const b = byteBounds({ ...spec, reverse: false, ordered: false }, p);
    if (!b || (b.upper && Buffer.compare(b.lower, b.upper) >= 0)) continue;
    n += spec.index.entries.count(b.lower, b.upper, cap - n);
    if (n >= cap) return cap;
  }
  return n;
}
