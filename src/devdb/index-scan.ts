import { KEY_MAX, KEY_MIN, compareValues } from './compare.js';
import type { Index } from './indexes.js';

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

type Entry = [unknown[], number];

function cartesian(lists: unknown[][]): unknown[][] {
  let out: unknown[][] = [[]];
  for (const l of lists) out = out.flatMap((p) => l.map((v) => [...p, v]));
  return out;
}

/** Entries of one equality point, in tree order (or reversed), within the range. */
function* scanPoint(spec: ScanSpec, point: unknown[], counter: { keys: number }): Generator<Entry> {
  const ix = spec.index;
  const n = ix.fields.length;
  const k = point.length;
  const edge = (i: number, high: boolean): unknown => {
    const valueHigh = high === ((ix.fields[i] as { dir: number }).dir === 1);
    if (i === k && spec.range) return valueHigh ? spec.range.hi : spec.range.lo;
    return valueHigh ? KEY_MAX : KEY_MIN;
  };
  const start: unknown[] = [...point];
  for (let i = k; i < n; i++) start.push(edge(i, spec.reverse));
  start.push(spec.reverse ? Infinity : -Infinity);
  const iter = spec.reverse ? ix.tree.entriesReversed(start) : ix.tree.entries(start);
  const rangeAscending = k < n && ((ix.fields[k] as { dir: number }).dir === 1) !== spec.reverse;
  const r = spec.range;
  for (const [key, rid] of iter) {
    counter.keys++;
    let past = false;
    for (let i = 0; i < k && !past; i++) past = compareValues(key[i], point[i]) !== 0;
    if (past) return;
    if (r) {
      const cl = compareValues(key[k], r.lo);
      const ch = compareValues(key[k], r.hi);
      const below = cl < 0 || (cl === 0 && !r.loInc);
      const above = ch > 0 || (ch === 0 && !r.hiInc);
      if (below || above) {
        if (below === rangeAscending) continue;
        return;
      }
    }
    yield [key, rid];
  }
}

/* Merges per-point walks into one stream ordered like the index suffix after the prefix. */
function* merge(spec: ScanSpec, points: unknown[][], counter: { keys: number }): Generator<number> {
  const ix = spec.index;
  const k = spec.prefix.length;
  const n = ix.fields.length;
  const sign = spec.reverse ? -1 : 1;
  const cmp = (a: Entry, b: Entry): number => {
    for (let i = k; i < n; i++) {
      const c = compareValues(a[0][i], b[0][i]);
      if (c !== 0) return c * (ix.fields[i] as { dir: number }).dir * sign;
    }
    return (a[1] - b[1]) * sign;
  };
  const iters = points.map((p) => scanPoint(spec, p, counter));
  const heads: Array<Entry | undefined> = iters.map((it) => it.next().value ?? undefined);
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h && (best < 0 || cmp(h, heads[best] as Entry) < 0)) best = i;
    }
    if (best < 0) return;
    yield (heads[best] as Entry)[1];
    heads[best] = (iters[best] as Generator<Entry>).next().value ?? undefined;
  }
}

/** Record ids selected by a scan spec; each record at most once. */
export function* scanIndex(spec: ScanSpec, counter: { keys: number }): Generator<number> {
  const points = cartesian(spec.prefix);
  if (spec.ordered && points.length > 1) {
    yield* merge(spec, points, counter);
    return;
  }
  const seen = spec.index.multikey ? new Set<number>() : undefined;
  for (const p of points) {
    for (const [, rid] of scanPoint(spec, p, counter)) {
      if (seen) {
        if (seen.has(rid)) continue;
        seen.add(rid);
      }
      yield rid;
    }
  }
}
