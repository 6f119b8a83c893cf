import type { RawTest } from './engine.js';
import { compareValues, sortDocs, type SortSpec } from './compare.js';
import { countIndex, scanIndex } from './index-scan.js';
import { fail } from './errors.js';
import type { Index } from './indexes.js';
import { compileFilter } from './matcher.js';
import { extractConditions, matchesNothing, mergeConditions, requiresField, type FieldPred } from './plan-preds.js';
import { plainOf, type Collection, type Rec } from './storage.js';
import { rawDocumentTest, splitStringArrayConditions } from './string-array-conditions.js';
import { isNumeric, isPlainObject, numberOf, type Doc } from './values.js';

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
  /** An index name or key pattern (or `{ $natural: ±1 }`): that walk only, as MongoDB's `hint`. */
  hint?: unknown;
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

/*
 * The race: the best-scored plans, plus plans driven by one condition each (a term of a search) not
 * among them; each examines up to TRIAL_WORKS documents, TRIAL_ROUND at a time, or up to
 * TRIAL_MAX_WORKS while no plan has found a single match (a selective search, where a walk about to
 * end is worth finding).
 */
const TRIAL_PLANS = 6;
const TRIAL_CONDITION_PLANS = 6;
const TRIAL_WORKS = 256;
const TRIAL_MAX_WORKS = 1024;
const TRIAL_ROUND = 16;

type Scored = { plan: Plan; score: number };

function sameBound(a: unknown, b: unknown): boolean {
  return a === undefined || b === undefined ? a === b : compareValues(a, b) === 0;
}

function samePlan(a: Plan, b: Plan): boolean {
  if (a.index !== b.index || a.reverse !== b.reverse || a.providesSort !== b.providesSort || a.prefix.length !== b.prefix.length) return false;
  const samePoints = a.prefix.every((l, i) => {
    const m = b.prefix[i] as unknown[];
    return l.length === m.length && l.every((v, j) => compareValues(v, m[j]) === 0);
  });
  const [r, q] = [a.range, b.range];
  if (!samePoints || !r || !q) return samePoints && !r && !q;
  return sameBound(r.lo, q.lo) && sameBound(r.hi, q.hi) && r.loInc === q.loInc && r.hiInc === q.hiInc;
}

/* Whether the plan's walk is narrowed by its index field `path` (in the equality prefix or as the range). */
function narrowsOn(plan: Plan, path: string): boolean {
  const j = plan.index?.fields.findIndex((f) => f.path === path) ?? -1;
  return j >= 0 && (j < plan.prefix.length || (j === plan.prefix.length && plan.range !== undefined));
}

/*
 * As MongoDB enumerates one plan per indexable predicate: when a field has several conditions (the
 * `$and` of a search, one per word), a plan per condition alone, on each index it narrows. Merged,
 * the conditions make one walk driven by whichever won the merge, often a common word when a rare
 * one (or one with no entries at all) would end at once. Each alone is correct: all must hold.
 */
function conditionPlans(ix: Index, conditions: Map<string, FieldPred[]>, preds: Map<string, FieldPred>, sort: SortSpec): Scored[] {
  const out: Scored[] = [];
  for (const { path } of ix.fields) {
    const list = conditions.get(path);
    if (!list || list.length < 2) continue;
    for (const p of list) {
      const cand = planFor(ix, new Map(preds).set(path, p), sort);
      if (cand.score > 0 && narrowsOn(cand.plan, path)) out.push(cand);
    }
  }
  return out;
}

/** The plans worth trying, best heuristic score first, then single-condition ones; a collection scan when no index helps. */
function candidatePlans(coll: Collection, filter: Doc | undefined, sort: SortSpec): Plan[] {
  const conditions = extractConditions(filter);
  const preds = mergeConditions(conditions);
  const scored: Scored[] = [];
  const single: Scored[] = [];
  for (const ix of coll.indexes) {
    if (ix.partial || ix.spec.hidden === true || !sparseAnswers(ix, preds)) continue;
    const cand = planFor(ix, preds, sort);
    if (cand.score > 0) scored.push(cand);
    single.push(...conditionPlans(ix, conditions, preds, sort));
  }
  const plans: Plan[] = [];
  const take = (list: Scored[], n: number): void => {
    for (const { plan } of list.sort((a, b) => b.score - a.score)) {
      if (n === 0) return;
      if (plans.some((p) => samePlan(p, plan))) continue;
      plans.push(plan);
      n--;
    }
  };
  take([...scored, ...single], TRIAL_PLANS);
  take(single, TRIAL_CONDITION_PLANS);
  return plans.length > 0 ? plans : [{ prefix: [], reverse: false, providesSort: sort.length === 0 }];
}

/** One plan's walk, advanced a few documents at a time: what it found, and whether it has all it needs. */
class PlanRun {
  readonly recs: Rec[] = [];
  examined = 0;
  done = false;
  private readonly candidates: Iterator<Rec | number>;
  /* The next candidate, read ahead so that a walk at its end is known to be done. */
  private ahead?: IteratorResult<Rec | number>;

  constructor(
    private readonly coll: Collection,
    readonly plan: Plan,
    private readonly match: ReturnType<typeof compileFilter>,
    private readonly rawTest: RawTest | null,
    private readonly wanted: number,
    ordered: boolean,
    readonly counter: { keys: number },
  ) {
    const source: Iterable<Rec | number> = plan.index
      ? scanIndex({ index: plan.index, prefix: plan.prefix, range: plan.range, reverse: plan.reverse, ordered }, counter)
      : coll.scan(plan.reverse);
    this.candidates = source[Symbol.iterator]();
  }

  /** Reads the next candidate without examining it: done at once when the walk has none left. */
  peek(): void {
    if (this.done || this.ahead) return;
    this.ahead = this.candidates.next();
    if (this.ahead.done) this.done = true;
  }

  /** Examines up to `works` more documents (all the rest when Infinity), then looks one candidate ahead. */
  advance(works: number): void {
    for (let n = 0; n < works && !this.done; n++) {
      const next = this.ahead ?? this.candidates.next();
      this.ahead = undefined;
      if (next.done) {
        this.done = true;
        return;
      }
      const rid = next.value;
      const rec = typeof rid !== 'number' ? rid : this.rawTest ? this.coll.getIf(rid, this.rawTest) : this.coll.get(rid);
      if (rec === undefined) continue;
      this.examined++;
      if (rec === false || !this.match(plainOf(rec))) continue;
      this.recs.push(rec);
      if (this.plan.providesSort && this.recs.length >= this.wanted) this.done = true;
    }
    if (works !== Infinity) this.peek();
  }
}

/**
 * Runs the candidate plans side by side for a short trial, as MongoDB's planner does: the first to
 * have every result it needs wins (an ordered walk that filled the limit, or any walk that ran out
 * of candidates: a condition with no or few index entries wins before any document is read or
 * within a few rounds), else the one that found the most per document examined. The heuristic score
 * alone cannot know that walking an index in sort order past a selective filter (a tag, a due-soon
 * range, a rare word) reads far more than a narrow index and a sort.
 */
function raceFor(coll: Collection, plans: Plan[], match: ReturnType<typeof compileFilter>, wanted: number, sorted: boolean, filter: Doc | undefined): PlanRun {
  // Conditions on large arrays of strings (a search's terms) are tried on each candidate's stored bytes first.
  const rawTest = filter ? rawDocumentTest(splitStringArrayConditions(filter).conditions) : null;
  const runs = plans.map((plan) => new PlanRun(coll, plan, match, rawTest, wanted, plan.providesSort && sorted, { keys: 0 }));
  if (runs.length === 1) return runs[0]!;
  for (const run of runs) {
    run.peek();
    if (run.done) return run;
  }
  const blocking = runs.filter((r) => !r.plan.providesSort);
  if (sorted && wanted !== Infinity && blocking.length > 0 && blocking.length < runs.length) {
    return raceAgainstCount(coll, runs.filter((r) => r.plan.providesSort), blocking, wanted);
  }
  for (let works = 0; works < TRIAL_MAX_WORKS; works += TRIAL_ROUND) {
    if (works >= TRIAL_WORKS && runs.some((r) => r.recs.length > 0)) break;
    for (const run of runs) {
      run.advance(TRIAL_ROUND);
      if (run.done) return run;
    }
  }
  // Matches per document read; a walk in the sort's order with a limit stops once it has them, while
  // any other plan must read all its candidates before sorting, so it counts double (MongoDB's
  // planner likewise favours a plan without a blocking sort). Ties keep the heuristic's order.
  const stopsEarly = sorted && wanted !== Infinity;
  const yieldOf = (r: PlanRun) => (r.recs.length / Math.max(1, r.examined)) * (stopsEarly && r.plan.providesSort ? 2 : 1);
  return runs.reduce((best, r) => (yieldOf(r) > yieldOf(best) ? r : best));
}

/*
 * Counting stops here at first, then goes on 8 times further each time a walk in sort order gets
 * near what the cheapest blocking walk may cost, up to COUNT_MAX.
 */
const COUNT_FIRST = 1024;
const COUNT_MAX = 65_536;
/* Documents a walk in sort order reads before its rate of matches is trusted to give it up. */
const MIN_SAMPLE = 48;
const LARGE_SAMPLE = 256;

/* The fewest candidates among walks that must read all of theirs before sorting (index entries, counted up to a cap that grows on demand). */
class BlockingCost {
  private cap = COUNT_FIRST;
  private readonly counts: number[];
  constructor(
    private readonly coll: Collection,
    private readonly runs: PlanRun[],
  ) {
    this.counts = runs.map((r) => this.countOf(r));
  }
  private countOf(r: PlanRun): number {
    const { index, prefix, range } = r.plan;
    return index ? countIndex({ index, prefix, ...(range ? { range } : {}) }, this.cap) : Math.min(this.coll.size, this.cap);
  }
  /** The cheapest blocking walk and its cost; `exact` unless every count reached the cap. */
  best(): { run: PlanRun; cost: number; exact: boolean } {
    let i = 0;
    this.counts.forEach((c, j) => {
      if (c < (this.counts[i] as number)) i = j;
    });
    const cost = this.counts[i] as number;
    return { run: this.runs[i] as PlanRun, cost, exact: cost < this.cap };
  }
  /** Counts further (the walks that reached the cap); false when already at COUNT_MAX. */
  raise(): boolean {
    if (this.cap >= COUNT_MAX) return false;
    this.cap = Math.min(COUNT_MAX, this.cap * 8);
    this.runs.forEach((r, j) => {
      if ((this.counts[j] as number) >= this.cap / 8) this.counts[j] = this.countOf(r);
    });
    return true;
  }
}

/*
 * A sorted, limited query with plans of both kinds: a walk in sort order stops once it has the page,
 * a blocking one (an index that narrows but does not give the order, like one search term's) must read
 * every candidate, and how many that is the index tells at the cost of counting its entries. So the walks
 * in sort order go on, a few documents each in turn, for as long as they may still cost less than the
 * cheapest blocking walk: the first to fill the page wins, and one is given up once it has read as many
 * documents as that walk will, or when at its rate of matches so far it would need twice as many. Either
 * way no more than about twice the cheaper plan's reads are spent. A rare term wins at once; a common one
 * loses to walking the list in order and testing each ticket's terms.
 */
function raceAgainstCount(coll: Collection, streaming: PlanRun[], blocking: PlanRun[], wanted: number): PlanRun {
  let cost: BlockingCost | undefined;
  const projected = (r: PlanRun) => (r.examined * wanted) / Math.max(1, r.recs.length);
  let live = streaming;
  while (live.length > 0) {
    for (const r of live) {
      r.advance(TRIAL_ROUND);
      if (r.done) return r;
    }
    // Counting waits for a first sample: a list whose page lies in its first few documents never counts.
    if (live.every((r) => r.examined < MIN_SAMPLE)) continue;
    cost ??= new BlockingCost(coll, blocking);
    let best = cost.best();
    while (!best.exact && live.some((r) => r.examined >= best.cost / 2 || projected(r) >= best.cost) && cost.raise()) best = cost.best();
    // Twice the cost while the sample is small; once it is large, its rate is trusted as it stands.
    live = live.filter((r) => r.examined < best.cost && (r.examined < MIN_SAMPLE || projected(r) <= (r.examined < LARGE_SAMPLE ? 2 : 1) * best.cost));
    // Walks in sort order mostly read the same newest documents: once sampled, only the most
    // promising goes on (ties keep the heuristic's order).
    if (live.length > 1 && live.every((r) => r.examined >= MIN_SAMPLE)) live = [live.reduce((a, r) => (projected(r) < projected(a) ? r : a))];
  }
  return (cost ?? new BlockingCost(coll, blocking)).best().run;
}

/** Runs a query: index or collection scan, full filter re-check, then sort/skip/limit. */
export function executeQuery(coll: Collection, req: QueryRequest): QueryResult {
  let sort = req.sort ?? [];
  const natural = sort.length === 1 && sort[0]?.[0].join('.') === '$natural' ? sort[0][1] : undefined;
  if (sort.some(([parts]) => parts[0] === '$natural') && natural === undefined) throw fail.badValue('$natural cannot be combined with other sort keys');
  if (natural !== undefined) sort = [];
  const match = compileFilter(req.filter, req.variables);
  if (matchesNothing(req.filter)) {
    coll.stats.lastPlan = 'EOF';
    return { recs: [], plan: { prefix: [], reverse: false, providesSort: true }, docsExamined: 0, keysExamined: 0 };
  }
  const skip = req.skip ?? 0;
  const wanted = req.limit !== undefined && req.limit > 0 ? skip + req.limit : Infinity;
  const hinted = natural === undefined ? hintedPlan(coll, req.hint, req.filter, sort) : undefined;
  const plans: Plan[] = hinted ? [hinted] : natural === undefined ? candidatePlans(coll, req.filter, sort) : [{ prefix: [], reverse: natural < 0, providesSort: true }];
  const run = raceFor(coll, plans, match, wanted, sort.length > 0, req.filter);
  run.advance(Infinity);
  const { plan, recs, examined, counter } = run;
  if (!plan.providesSort) sortDocs(recs, sort, (r) => r.doc);
  const out = skip > 0 || wanted !== Infinity ? recs.slice(skip, wanted) : recs;
  coll.stats.docsExamined += examined;
  coll.stats.keysExamined += counter.keys;
  coll.stats.lastPlan = describePlan(plan);
  return { recs: out, plan, docsExamined: examined, keysExamined: counter.keys };
}

/*
 * The one plan a `hint` asks for (no race), as MongoDB uses the hinted index whatever it costs: a
 * caller that knows its data (a report's time windows) gets the same walk for every window. A
 * partial index is not taken, nor a sparse one the filter does not restrict to documents it holds
 * (its entries would miss matches); `$natural` scans the collection.
 */
function hintedPlan(coll: Collection, hint: unknown, filter: Doc | undefined, sort: SortSpec): Plan | undefined {
  if (hint === undefined || hint === null) return undefined;
  if (isPlainObject(hint)) {
    const entries = Object.entries(hint);
    if (entries.length === 1 && entries[0]?.[0] === '$natural') {
      const dir = numberOf(entries[0][1]);
      return { prefix: [], reverse: dir < 0, providesSort: sort.length === 0 };
    }
  }
  const ix = coll.indexes.find((i) => i.spec.hidden !== true && (typeof hint === 'string' ? i.name === hint : isPlainObject(hint) && sameKeyPattern(i.spec.key as Doc, Object.entries(hint))));
  const preds = mergeConditions(extractConditions(filter));
  if (!ix || ix.partial || !sparseAnswers(ix, preds)) return undefined;
  return planFor(ix, preds, sort).plan;
}

/**
 * Whether an index holds every document the filter may match: any index but a sparse one, and a
 * sparse one (which leaves out documents missing all its fields) when the filter requires one of them.
 */
function sparseAnswers(ix: Index, preds: Map<string, FieldPred>): boolean {
  return !ix.sparse || ix.fields.some((f) => requiresField(preds.get(f.path)));
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
