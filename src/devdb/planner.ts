import { KeyBound, compareValues, sortDocs, typeRank, type SortSpec } from './compare.js';
import { scanIndex } from './index-scan.js';
import { fail } from './errors.js';
import type { Index } from './indexes.js';
import { compileFilter } from './matcher.js';
import { plainOf, type Collection, type Rec } from './storage.js';
import { bsonTag, isNumeric, isPlainObject, numberOf, type Doc } from './values.js';

/** What a filter says about one field, in value space. */
interface FieldPred {
  points?: unknown[];
  lo?: unknown;
  loInc?: boolean;
  hi?: unknown;
  hiInc?: boolean;
  /**
   * Bounds from an `$elemMatch`, element-wise: both hold for one same element, so they can be
   * intersected even on a multikey field (where `lo`/`hi` may each be met by a different element).
   */
  elem?: FieldPred;
}

/** The access path chosen for a query. */
export interface Plan {
  index?: Index;
  /** Equality points of the leading index fields (one list per field). */
  prefix: unknown[][];
  range?: FieldPred;
  reverse: boolean;
  providesSort: boolean;
}

/** A query over one collection. */
export interface QueryRequest {
  filter?: Doc;
  sort?: SortSpec;
  skip?: number;
  limit?: number;
  variables?: Doc;
}

/** Matching records plus what it cost to find them. */
export interface QueryResult {
  recs: Rec[];
  plan: Plan;
  docsExamined: number;
  keysExamined: number;
}

const MAX_POINTS = 1000;
/* Beyond this many equality points a k-way merge costs more than sorting the matches. */
const MAX_MERGE = 64;

function isScalarKey(v: unknown): boolean {
  if (v === undefined || Array.isArray(v) || isPlainObject(v) || v instanceof RegExp) return false;
  const tag = bsonTag(v);
  return tag !== 'BSONRegExp' && tag !== 'MinKey' && tag !== 'MaxKey' && tag !== 'DBRef' && tag !== 'Code';
}

function isOperatorObject(v: unknown): v is Doc {
  if (!isPlainObject(v)) return false;
  const first = Object.keys(v)[0];
  return first !== undefined && first.startsWith('$');
}

function distinctPoints(values: unknown[]): unknown[] {
  const sorted = [...values].sort(compareValues);
  return sorted.filter((v, i) => i === 0 || compareValues(v, sorted[i - 1]) !== 0);
}

function merge(preds: Map<string, FieldPred>, path: string, p: FieldPred): void {
  const cur = preds.get(path);
  if (!cur) {
    preds.set(path, p);
    return;
  }
  if (p.points && (!cur.points || p.points.length < cur.points.length)) cur.points = p.points;
  if (p.elem && !cur.elem) cur.elem = p.elem;
  if (p.lo !== undefined && (cur.lo === undefined || tighter(p.lo, cur.lo, 1))) [cur.lo, cur.loInc] = [p.lo, p.loInc];
  if (p.hi !== undefined && (cur.hi === undefined || tighter(p.hi, cur.hi, -1))) [cur.hi, cur.hiInc] = [p.hi, p.hiInc];
}

function tighter(a: unknown, b: unknown, sign: 1 | -1): boolean {
  if (b instanceof KeyBound) return true;
  if (a instanceof KeyBound) return false;
  return typeRank(a) === typeRank(b) && compareValues(a, b) * sign > 0;
}

const ELEM_MATCH_OPS = new Set(['$eq', '$gt', '$gte', '$lt', '$lte', '$in']);

/*
 * `{$elemMatch: {$gte: a, $lt: b}}` on an array of scalars: equality points and element-wise bounds.
 * Only for comparison operators (whose scalar arguments extractPreds turns into bounds); an argument
 * it cannot use is left out, which only widens the scan.
 */
function elemMatchPred(arg: unknown): FieldPred | undefined {
  if (!isOperatorObject(arg) || !Object.keys(arg).every((op) => ELEM_MATCH_OPS.has(op))) return undefined;
  const p = extractPreds({ e: arg }).get('e');
  if (!p) return undefined;
  const out: FieldPred = {};
  if (p.points) out.points = p.points;
  if (p.lo !== undefined && p.hi !== undefined) out.elem = { lo: p.lo, loInc: p.loInc, hi: p.hi, hiInc: p.hiInc };
  return out;
}

/** Index-usable predicates of a filter: top-level fields and `$and` members (anything else is only re-checked). */
export function extractPreds(filter: Doc | undefined, preds = new Map<string, FieldPred>()): Map<string, FieldPred> {
  if (!filter) return preds;
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const c of v) if (isPlainObject(c)) extractPreds(c, preds);
      continue;
    }
    if (k.startsWith('$')) continue;
    if (!isOperatorObject(v)) {
      if (isScalarKey(v)) merge(preds, k, { points: [v] });
      continue;
    }
    for (const [op, arg] of Object.entries(v)) {
      if (op === '$eq' && isScalarKey(arg)) merge(preds, k, { points: [arg] });
      else if (op === '$in' && Array.isArray(arg) && arg.length > 0 && arg.every(isScalarKey)) merge(preds, k, { points: distinctPoints(arg) });
      else if (op === '$elemMatch') {
        const p = elemMatchPred(arg);
        if (p) merge(preds, k, p);
      } else if ((op === '$gt' || op === '$gte') && isScalarKey(arg) && arg !== null) {
        merge(preds, k, { lo: arg, loInc: op === '$gte' });
        merge(preds, k, { hi: new KeyBound(typeRank(arg), true), hiInc: true });
      } else if ((op === '$lt' || op === '$lte') && isScalarKey(arg) && arg !== null) {
        merge(preds, k, { hi: arg, hiInc: op === '$lte' });
        merge(preds, k, { lo: new KeyBound(typeRank(arg), false), loInc: true });
      }
    }
  }
  return preds;
}

function planFor(ix: Index, preds: Map<string, FieldPred>, sort: SortSpec): { plan: Plan; score: number } {
  const prefix: unknown[][] = [];
  let combos = 1;
  let i = 0;
  for (; i < ix.fields.length; i++) {
    const p = preds.get((ix.fields[i] as { path: string }).path);
    if (!p?.points || combos * p.points.length > MAX_POINTS) break;
    prefix.push(p.points);
    combos *= p.points.length;
  }
  // As in MongoDB: with every array field pinned to equality points, each point's entries come in the
  // order of the fields after the prefix, so ranges and sorts on those are still served by the index;
  // several points are merged (SORT_MERGE), a document found under two of them kept once (see scanIndex).
  const ordered = !ix.multikey || [...ix.multikeyPaths].every((path) => {
    const j = ix.fields.findIndex((f) => f.path === path);
    return j >= 0 && j < prefix.length;
  });
  let range: FieldPred | undefined;
  const next = ix.fields[i];
  const p = next && preds.get(next.path);
  if (p && !p.points) {
    if (ordered && p.lo !== undefined && p.hi !== undefined) range = p;
    // Element-wise bounds (an $elemMatch) hold on one entry of the document even on a multikey
    // field: the walk finds every match, unordered, each record once (scanIndex dedupes by record id).
    else if (p.elem) range = p.elem;
  }
  let providesSort = sort.length === 0;
  let reverse = false;
  if (sort.length > 0 && ordered && combos <= MAX_MERGE) {
    const constant = new Set(ix.fields.slice(0, prefix.length).filter((_, j) => prefix[j]?.length === 1).map((f) => f.path));
    const rest = sort.filter(([parts]) => !constant.has(parts.join('.')));
    let sign = 0;
    providesSort = rest.length <= ix.fields.length - prefix.length;
    rest.forEach(([parts, dir], j) => {
      const f = ix.fields[prefix.length + j];
      const s = f && f.path === parts.join('.') ? dir * f.dir : 0;
      if (s === 0 || (sign !== 0 && s !== sign)) providesSort = false;
      sign = s;
    });
    reverse = sign < 0;
  }
  // Between otherwise equal plans, fewer equality points (one team rather than four access keys) is the narrower walk.
  let score = prefix.length * 100 + (range ? 50 : 0) + (providesSort && sort.length > 0 ? 40 : 0) - ix.fields.length - Math.min(Math.log2(combos), 9);
  if (ix.unique && prefix.length === ix.fields.length && combos === 1) score += 1000;
  if (prefix.length === 0 && !range && !(providesSort && sort.length > 0)) score = 0;
  return { plan: { index: ix, prefix, range, reverse, providesSort }, score };
}

/** Picks the index with the best heuristic score, or a collection scan. */
export function choosePlan(coll: Collection, filter: Doc | undefined, sort: SortSpec): Plan {
  return candidatePlans(coll, filter, sort)[0]!;
}

/* How many of the best-scored plans race in a trial, and for how many documents each at most. */
const TRIAL_PLANS = 6;
const TRIAL_WORKS = 256;
const TRIAL_ROUND = 16;

/** The plans worth trying, best heuristic score first (one index each); a collection scan when no index helps. */
function candidatePlans(coll: Collection, filter: Doc | undefined, sort: SortSpec): Plan[] {
  const preds = extractPreds(filter);
  const scored: Array<{ plan: Plan; score: number }> = [];
  for (const ix of coll.indexes) {
    if (ix.sparse || ix.partial || ix.spec.hidden === true) continue;
    const cand = planFor(ix, preds, sort);
    if (cand.score > 0) scored.push(cand);
  }
  scored.sort((a, b) => b.score - a.score);
  const plans = scored.slice(0, TRIAL_PLANS).map((c) => c.plan);
  return plans.length > 0 ? plans : [{ prefix: [], reverse: false, providesSort: sort.length === 0 }];
}

/** One plan's walk, advanced a few documents at a time: what it found, and whether it has all it needs. */
class PlanRun {
  readonly recs: Rec[] = [];
  examined = 0;
  done = false;
  private readonly candidates: Iterator<Rec | number>;

  constructor(
    private readonly coll: Collection,
    readonly plan: Plan,
    private readonly match: ReturnType<typeof compileFilter>,
    private readonly wanted: number,
    ordered: boolean,
    readonly counter: { keys: number },
  ) {
    const source: Iterable<Rec | number> = plan.index
      ? scanIndex({ index: plan.index, prefix: plan.prefix, range: plan.range, reverse: plan.reverse, ordered }, counter)
      : coll.scan(plan.reverse);
    this.candidates = source[Symbol.iterator]();
  }

  /** Examines up to `works` more documents (all the rest when Infinity). */
  advance(works: number): void {
    for (let n = 0; n < works && !this.done; n++) {
      const next = this.candidates.next();
      if (next.done) {
        this.done = true;
        return;
      }
      const rec = typeof next.value === 'number' ? this.coll.get(next.value) : next.value;
      if (!rec) continue;
      this.examined++;
      if (!this.match(plainOf(rec))) continue;
      this.recs.push(rec);
      if (this.plan.providesSort && this.recs.length >= this.wanted) this.done = true;
    }
  }
}

/**
 * Runs the candidate plans side by side for a short trial, as MongoDB's planner does: the first to
 * have every result it needs wins, else the one that found the most per document examined. The
 * heuristic score alone cannot know that walking an index in sort order past a selective filter
 * (a tag, a due-soon range) reads far more than a narrow index and a sort.
 */
function raceFor(coll: Collection, plans: Plan[], match: ReturnType<typeof compileFilter>, wanted: number, sorted: boolean): PlanRun {
  const runs = plans.map((plan) => new PlanRun(coll, plan, match, wanted, plan.providesSort && sorted, { keys: 0 }));
  if (runs.length === 1) return runs[0]!;
  for (let round = 0; round * TRIAL_ROUND < TRIAL_WORKS; round++) {
    for (const run of runs) {
      run.advance(TRIAL_ROUND);
      if (run.done) return run;
    }
  }
  const yieldOf = (r: PlanRun) => r.recs.length / Math.max(1, r.examined);
  // Ties keep the heuristic's order (the candidates come best score first).
  return runs.reduce((best, r) => (yieldOf(r) > yieldOf(best) ? r : best));
}

/** Runs a query: index or collection scan, full filter re-check, then sort/skip/limit. */
export function executeQuery(coll: Collection, req: QueryRequest): QueryResult {
  let sort = req.sort ?? [];
  const natural = sort.length === 1 && sort[0]?.[0].join('.') === '$natural' ? sort[0][1] : undefined;
  if (sort.some(([parts]) => parts[0] === '$natural') && natural === undefined) throw fail.badValue('$natural cannot be combined with other sort keys');
  if (natural !== undefined) sort = [];
  const match = compileFilter(req.filter, req.variables);
  const skip = req.skip ?? 0;
  const wanted = req.limit !== undefined && req.limit > 0 ? skip + req.limit : Infinity;
  const plans: Plan[] = natural === undefined ? candidatePlans(coll, req.filter, sort) : [{ prefix: [], reverse: natural < 0, providesSort: true }];
  const run = raceFor(coll, plans, match, wanted, sort.length > 0);
  run.advance(Infinity);
  const { plan, recs, examined, counter } = run;
  if (!plan.providesSort) sortDocs(recs, sort, (r) => r.doc);
  const out = skip > 0 || wanted !== Infinity ? recs.slice(skip, wanted) : recs;
  coll.stats.docsExamined += examined;
  coll.stats.keysExamined += counter.keys;
  coll.stats.lastPlan = describePlan(plan);
  return { recs: out, plan, docsExamined: examined, keysExamined: counter.keys };
}

/** Short text form of a plan, e.g. `IXSCAN inboxId_1_status_1 reverse`. */
export function describePlan(plan: Plan): string {
  if (!plan.index) return 'COLLSCAN';
  return `IXSCAN ${plan.index.name}${plan.reverse ? ' reverse' : ''}${plan.providesSort ? '' : ' +SORT'}`;
}

/**
 * Refuses a `hint` that names no index of the collection (by name or key pattern), as MongoDB's
 * planner does. A missing collection has no plan to hint, so anything goes there.
 */
export function checkHint(coll: Collection | undefined, hint: unknown): void {
  if (hint === undefined || hint === null || !coll) return;
  if (typeof hint === 'string') {
    if (coll.indexes.some((ix) => ix.name === hint && ix.spec.hidden !== true)) return;
  } else if (isPlainObject(hint)) {
    const entries = Object.entries(hint);
    if (entries.length === 0 || (entries.length === 1 && entries[0]?.[0] === '$natural')) return;
    if (coll.indexes.some((ix) => ix.spec.hidden !== true && sameKeyPattern(ix.spec.key as Doc, entries))) return;
  } else {
    throw fail.badValue('hint must be a string or an object');
  }
  throw fail.badValue('hint provided does not correspond to an existing index');
}

function sameKeyPattern(key: Doc, entries: [string, unknown][]): boolean {
  const own = Object.entries(key);
  return own.length === entries.length && own.every(([k, v], i) => {
    const [hk, hv] = entries[i] as [string, unknown];
    if (k !== hk) return false;
    if (isNumeric(v) && isNumeric(hv)) return numberOf(v) === numberOf(hv);
    return v === hv;
  });
}
