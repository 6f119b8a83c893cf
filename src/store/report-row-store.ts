import { Types } from 'mongoose';
import { chunksOf } from '../domain/chunks.js';
import { decodeReportRows, encodeReportRows, REPORT_ROW_FORMAT, visitReportRows, type StoredReportRow } from '../domain/report-row-codec.js';
import { REPORT_ROW_EVENT_TYPES, reportRowOf, rowLastFactAt, type ReportRow } from '../domain/report-row.js';
import type { SatisfactionRating } from '../domain/satisfaction.js';
import type { TicketMetrics } from '../domain/ticket-metrics.js';
import type { TicketPriority, TicketStatus } from '../domain/ticket-status.js';
import type { Models } from './models/index.js';
import type { ReportRowBlockDoc, ReportRowStateDoc } from './models/report-row-block.js';

/**
 * The report rows (domain/report-row.ts), one block document per 256 ticket numbers, kept up to date
 * from the tickets, their trail and their ratings: a report reads the blocks of its period (a few
 * hundred documents at 100k tickets) instead of every ticket, trail entry and rating in it, with the
 * rows of the tickets changed since the last catch-up made for it (`freshRows`).
 *
 * Catching up reads what changed since the last catch-up: tickets by `updatedAt` (every write through
 * the models stamps it) and by `_id` (new ones), trail entries by `_id`; each such ticket's row is made
 * again from its sources and put in its block. Changes are read from a margin before the last
 * catch-up, so a write stamped before it and committed after it is not missed; making a row twice
 * gives the same row. A block is rewritten whole under a compare on its version (another writer in
 * between: read again, apply again), and of two makings of one row the one read later wins, so
 * catch-ups may run side by side in several processes. A deleted ticket's row goes with `forget`
 * (called by the deletion) or, failing that, with the nightly `remakeAll`.
 *
 * Not built yet (a new database, an upgrade, a new row format): the first catch-up builds every block
 * in number order, resumable, then catches up from the build's start.
 */

/** Tickets per block (a block's number range). */
export const REPORT_ROW_BLOCK = 256;
/** How far back of the last catch-up the next one reads changes (ms): longer than any write takes from its stamp to its commit. */
export const REPORT_ROW_MARGIN_MS = 30_000;
/** Tickets whose rows are made per round of reads. */
const TICKET_CHUNK = 500;
/** At most this many changed tickets' rows are made for a report without writing them (more: a catch-up writes them). */
export const FRESH_MAX = 5000;
/** Blocks written per write. */
const WRITE_BATCH = 16;
/** Blocks a report reads per command. */
const READ_BATCH = 40;
const STATE_ID = 'rows';
/** Retries of a block write that lost a race before giving up (each re-reads the block). */
const MAX_WRITE_TRIES = 20;

const TICKET_FIELDS = { number: 1, inboxId: 1, teamId: 1, assigneeId: 1, categoryId: 1, priority: 1, tags: 1, status: 1, mergedIntoId: 1, createdAt: 1, metrics: 1 } as const;
type SourceTicket = {
  _id: Types.ObjectId;
  number: number;
  inboxId: Types.ObjectId;
  teamId?: Types.ObjectId | null;
  assigneeId?: Types.ObjectId | null;
  categoryId?: Types.ObjectId | null;
  priority?: TicketPriority | null;
  tags?: string[] | null;
  status: TicketStatus;
  mergedIntoId?: Types.ObjectId | null;
  createdAt: Date;
  metrics?: TicketMetrics | null;
};
type SourceEntry = { ticketId: Types.ObjectId; type: string; at: Date; actor?: { kind?: string; id?: Types.ObjectId | null } | null; data?: { from?: unknown; to?: unknown } | null };
type SourceRating = { ticketId: Types.ObjectId; rating: SatisfactionRating | null; ratedAt: Date | null; comment: string | null };

/** A change to a block's rows, by number; applied twice, it is applied once. */
type BlockChange = (rows: Map<number, StoredReportRow>) => void;

const hexOf = (id: Types.ObjectId | null | undefined) => (id ? id.toHexString() : null);
const blockOf = (number: number) => Math.floor(number / REPORT_ROW_BLOCK);
const idAt = (ms: number) => Types.ObjectId.createFromTime(Math.max(0, Math.floor(ms / 1000)));

/** Whether the state says the rows are built, in this format, up to some moment. */
function isBuilt(state: ReportRowStateDoc | null): state is ReportRowStateDoc & { through: Date } {
  return state !== null && state.format === REPORT_ROW_FORMAT && state.through instanceof Date;
}

/** A block's bytes as the driver hands them: a Buffer, or a BSON Binary (whose buffer may run past its content). */
function bytesOf(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  const bin = v as { buffer?: Uint8Array; position?: number } | null;
  if (bin?.buffer instanceof Uint8Array) return bin.buffer.subarray(0, bin.position ?? bin.buffer.length);
  throw new Error('report rows: a block holds no bytes');
}

/** The rows of a block's stored rows with a block's summary fields. */
function blockFields(rows: readonly StoredReportRow[]): Omit<ReportRowBlockDoc, '_id' | 'v'> {
  let firstAt = Infinity;
  let lastAt = -Infinity;
  const active: StoredReportRow[] = [];
  for (const r of rows) {
    firstAt = Math.min(firstAt, r.row.createdAt);
    lastAt = Math.max(lastAt, rowLastFactAt(r.row));
    if (r.row.active && !r.row.excluded) active.push(r);
  }
  return {
    format: REPORT_ROW_FORMAT,
    rows: encodeReportRows(rows),
    activeRows: encodeReportRows(active),
    count: rows.length,
    active: active.length,
    firstAt: rows.length ? new Date(firstAt) : null,
    lastAt: rows.length ? new Date(lastAt) : null,
  };
}

/**
 * The report rows of one database. `clock` is the wall clock the models stamp `updatedAt` with (never
 * a report's `now`, which tests fix).
 */
export function createReportRowStore(models: Pick<Models, 'Ticket' | 'TicketEvent' | 'SatisfactionRating' | 'ReportRowBlock' | 'ReportRowState'>, clock: () => Date = () => new Date()) {
  const { Ticket, TicketEvent, SatisfactionRating, ReportRowBlock, ReportRowState } = models;

  /** The rows of the tickets matching `filter`, made now (at `madeAt`, just before the reads) from them, their trail and their ratings. */
  async function rowsWhere(filter: Record<string, unknown>, madeAt: number = clock().getTime()): Promise<StoredReportRow[]> {
    const tickets = await Ticket.find(filter, TICKET_FIELDS).lean<SourceTicket[]>();
    const ids = tickets.map((t) => t._id);
    const trail = ids.length
      ? await TicketEvent.find({ ticketId: { $in: ids }, type: { $in: [...REPORT_ROW_EVENT_TYPES] } }, { _id: 0, ticketId: 1, type: 1, at: 1, 'actor.kind': 1, 'actor.id': 1, 'data.from': 1, 'data.to': 1 })
          .hint({ ticketId: 1, at: 1, _id: 1 })
          .lean<SourceEntry[]>()
      : [];
    const ratings = ids.length ? await SatisfactionRating.find({ ticketId: { $in: ids } }, { _id: 0, ticketId: 1, rating: 1, ratedAt: 1, comment: 1 }).lean<SourceRating[]>() : [];
    const trailOf = new Map<string, SourceEntry[]>();
    for (const e of trail) {
      const key = e.ticketId.toHexString();
      const list = trailOf.get(key);
      if (list) list.push(e);
      else trailOf.set(key, [e]);
    }
    const ratingOf = new Map(ratings.map((r) => [r.ticketId.toHexString(), r]));
    return tickets.map((t) => {
      const key = t._id.toHexString();
      const row = reportRowOf(
        {
          number: t.number, ticketId: key, inboxId: t.inboxId.toHexString(), teamId: hexOf(t.teamId), assigneeId: hexOf(t.assigneeId), categoryId: hexOf(t.categoryId),
          priority: t.priority, tags: t.tags, status: t.status, merged: Boolean(t.mergedIntoId), createdAt: t.createdAt, metrics: t.metrics,
        },
        (trailOf.get(key) ?? []).map((e) => ({ type: e.type, at: e.at, actor: { kind: e.actor?.kind ?? '', id: hexOf(e.actor?.id) }, data: e.data })),
        ratingOf.get(key) ?? null,
      );
      return { row, madeAt };
    });
  }

  /**
   * One try at changing some blocks in one write (each acknowledged write waits for the disk: one wait
   * for all): each block read, `change` applied to its rows by number (those of an older format are
   * dropped), then written whole under a compare on its version. False when any lost a race.
   */
  async function tryWrite(changes: ReadonlyMap<number, BlockChange>): Promise<boolean> {
    const docs = new Map((await ReportRowBlock.find({ _id: { $in: [...changes.keys()] } }).lean<ReportRowBlockDoc[]>()).map((d) => [d._id, d]));
    const ops: Parameters<typeof ReportRowBlock.bulkWrite>[0] = [];
    for (const [b, change] of changes) {
      const doc = docs.get(b);
      const rows = new Map<number, StoredReportRow>();
      if (doc && doc.format === REPORT_ROW_FORMAT) for (const r of decodeReportRows(bytesOf(doc.rows))) rows.set(r.row.number, r);
      change(rows);
      if (!doc) {
        if (rows.size > 0) ops.push({ insertOne: { document: { _id: b, v: 1, ...blockFields([...rows.values()]) } } });
      } else if (rows.size === 0) ops.push({ deleteOne: { filter: { _id: b, v: doc.v } } });
      else ops.push({ updateOne: { filter: { _id: b, v: doc.v }, update: { $set: { ...blockFields([...rows.values()]), v: doc.v + 1 } } } });
    }
    if (ops.length === 0) return true;
    return ReportRowBlock.bulkWrite(ops, { ordered: false }).then(
      (res) => res.insertedCount + res.matchedCount + res.deletedCount === ops.length,
      (err: { code?: number; writeErrors?: unknown }) => {
        // Another writer created one of the blocks first (duplicate key): a lost race too.
        if (err.code !== 11000 && !err.writeErrors) throw err;
        return false;
      },
    );
  }

  /**
   * Changes some blocks, in one write when no other writer comes in between; otherwise each block
   * again on its own until it holds (a change applied twice is applied once: each sets or drops rows).
   */
  async function writeBlocks(changes: ReadonlyMap<number, BlockChange>): Promise<void> {
    if (changes.size === 0 || (await tryWrite(changes))) return;
    for (const [b, change] of changes) {
      let attempt = 0;
      while (!(await tryWrite(new Map([[b, change]])))) {
        if (++attempt >= MAX_WRITE_TRIES) throw new Error(`report rows: block ${b} kept changing under ${MAX_WRITE_TRIES} writes in a row`);
      }
    }
  }

  /** Puts rows in their blocks, each replacing the same ticket's unless that one was made later. */
  async function putRows(rows: readonly StoredReportRow[]): Promise<void> {
    const byBlock = new Map<number, StoredReportRow[]>();
    for (const r of rows) {
      const b = blockOf(r.row.number);
      const list = byBlock.get(b);
      if (list) list.push(r);
      else byBlock.set(b, [r]);
    }
    const changes = new Map<number, BlockChange>();
    for (const [b, put] of [...byBlock].sort((x, y) => x[0] - y[0])) {
      changes.set(b, (held) => {
        for (const r of put) {
          const had = held.get(r.row.number);
          if (!had || had.madeAt <= r.madeAt) held.set(r.row.number, r);
        }
      });
    }
    for (const batch of chunksOf([...changes.keys()], WRITE_BATCH)) await writeBlocks(new Map(batch.map((b) => [b, changes.get(b)!])));
  }

  /** Makes the rows of these tickets again and puts them in their blocks. */
  async function refreshTickets(ids: readonly Types.ObjectId[]): Promise<number> {
    let made = 0;
    for (const chunk of chunksOf(ids, TICKET_CHUNK)) {
      const rows = await rowsWhere({ _id: { $in: chunk } });
      await putRows(rows);
      await dropVanished(rows);
      made += rows.length;
    }
    return made;
  }

  /**
   * Drops the rows just written of tickets deleted since they were read: a deletion forgets the row
   * after it deletes the ticket, so one that came between this read and this write would otherwise
   * see its row put back (one that comes after this check forgets it itself).
   */
  async function dropVanished(rows: readonly StoredReportRow[]): Promise<void> {
    const still = new Set<string>();
    for (const chunk of chunksOf(rows, TICKET_CHUNK)) {
      const found = await Ticket.find({ _id: { $in: chunk.map((r) => new Types.ObjectId(r.row.ticketId)) } }, { _id: 1 }).lean<Array<{ _id: Types.ObjectId }>>();
      for (const t of found) still.add(t._id.toHexString());
    }
    const gone = rows.filter((r) => !still.has(r.row.ticketId)).map((r) => r.row.number);
    if (gone.length > 0) await forgetNumbers(gone);
  }

  /** Drops the rows of these ticket numbers. */
  async function forgetNumbers(numbers: readonly number[]): Promise<void> {
    const byBlock = new Map<number, number[]>();
    for (const n of numbers) byBlock.set(blockOf(n), [...(byBlock.get(blockOf(n)) ?? []), n]);
    await writeBlocks(new Map([...byBlock].map(([b, drop]): [number, BlockChange] => [b, (held) => drop.forEach((n) => held.delete(n))])));
  }

  /** The number of the last block (-1: no ticket); blocks past it are dropped. */
  async function lastBlockNow(): Promise<number> {
    const last = await Ticket.findOne({}, { number: 1 }).sort({ number: -1 }).lean<{ number: number }>();
    const lastBlock = last ? blockOf(last.number) : -1;
    await ReportRowBlock.deleteMany({ _id: { $gt: lastBlock } });
    return lastBlock;
  }

  /** Makes blocks `first`..`last` afresh from the tickets numbered in them (rows of tickets no longer there go), keeping rows made since; one write. */
  async function remakeBlocks(first: number, last: number): Promise<void> {
    const changes = new Map<number, BlockChange>();
    const all: StoredReportRow[] = [];
    for (let b = first; b <= last; b++) {
      const madeAt = clock().getTime();
      const made = await rowsWhere({ number: { $gte: b * REPORT_ROW_BLOCK, $lt: (b + 1) * REPORT_ROW_BLOCK } }, madeAt);
      all.push(...made);
      const fresh = new Map(made.map((r) => [r.row.number, r]));
      changes.set(b, (held) => {
        // A row made after these reads (a catch-up in between) is newer than this remake's.
        for (const [n, r] of held) if (r.madeAt <= madeAt && !fresh.has(n)) held.delete(n);
        for (const [n, r] of fresh) if ((held.get(n)?.madeAt ?? -Infinity) <= madeAt) held.set(n, r);
      });
    }
    await writeBlocks(changes);
    await dropVanished(all);
  }

  /** Builds (or goes on building) every block, in number order, a few blocks per write. */
  async function build(state: { build: { startedAt: Date; next: number } | null }): Promise<void> {
    let run = state.build;
    if (!run) {
      run = { startedAt: clock(), next: 0 };
      await ReportRowState.updateOne({ _id: STATE_ID }, { $set: { build: run, through: null, format: REPORT_ROW_FORMAT } }, { upsert: true });
    }
    const lastBlock = await lastBlockNow();
    for (let b = run.next; b <= lastBlock; b += WRITE_BATCH) {
      const last = Math.min(lastBlock, b + WRITE_BATCH - 1);
      await remakeBlocks(b, last);
      await ReportRowState.updateOne({ _id: STATE_ID }, { $max: { 'build.next': last + 1 } });
    }
    await ReportRowState.updateOne({ _id: STATE_ID }, { $set: { through: run.startedAt, build: null, format: REPORT_ROW_FORMAT } });
  }

  /** The tickets written since `since` (ms): by `updatedAt`, by `_id` (new ones), and those of trail entries written since. */
  async function changedSince(since: number): Promise<Types.ObjectId[]> {
    const changed = new Map<string, Types.ObjectId>();
    const add = (id: Types.ObjectId) => changed.set(id.toHexString(), id);
    for (const t of await Ticket.find({ updatedAt: { $gte: new Date(since) } }, { _id: 1 }).hint({ updatedAt: 1 }).lean<Array<{ _id: Types.ObjectId }>>()) add(t._id);
    for (const t of await Ticket.find({ _id: { $gte: idAt(since) } }, { _id: 1 }).hint({ _id: 1 }).lean<Array<{ _id: Types.ObjectId }>>()) add(t._id);
    for (const e of await TicketEvent.find({ _id: { $gte: idAt(since) } }, { _id: 0, ticketId: 1 }).hint({ _id: 1 }).lean<Array<{ ticketId: Types.ObjectId }>>()) add(e.ticketId);
    return [...changed.values()];
  }

  /** One catch-up: the build if the rows are not built (or of another format), then the changes since the last one. */
  async function catchUpOnce(): Promise<{ built: boolean; refreshed: number }> {
    let state = await ReportRowState.findById(STATE_ID).lean();
    let built = false;
    if (!isBuilt(state)) {
      await build({ build: state && state.format === REPORT_ROW_FORMAT ? state.build : null });
      built = true;
      state = await ReportRowState.findById(STATE_ID).lean();
    }
    const startedAt = clock();
    const through = state!.through!.getTime();
    const refreshed = await refreshTickets(await changedSince(through - REPORT_ROW_MARGIN_MS));
    // Nothing changed lately: no write (a report's catch-up then only reads).
    if (refreshed > 0 || startedAt.getTime() - through > REPORT_ROW_MARGIN_MS / 2) await ReportRowState.updateOne({ _id: STATE_ID, format: REPORT_ROW_FORMAT }, { $max: { through: startedAt } });
    return { built, refreshed };
  }

  // One catch-up at a time in this process; a call while one runs waits for the next one, which starts
  // after it (so it sees every change made before the call), shared by every call made meanwhile.
  let running: Promise<{ built: boolean; refreshed: number }> | null = null;
  let queued: Promise<{ built: boolean; refreshed: number }> | null = null;
  function catchUp(): Promise<{ built: boolean; refreshed: number }> {
    if (!running) {
      running = catchUpOnce().finally(() => {
        running = null;
      });
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return catchUp();
      });
    return queued;
  }

  return {
    /**
     * Brings the rows up to every change made before the call (building them first if they are not).
     * Returns whether it built them and how many tickets' rows it made again.
     */
    catchUp,

    /**
     * Rows made now, without writing them, of the tickets changed since the last catch-up (what a
     * report lays over the stored rows, so that it writes nothing); null when the rows are not built
     * or more than {@link FRESH_MAX} tickets changed ({@link catchUp} then, which writes them).
     */
    async freshRows(): Promise<Map<number, ReportRow> | null> {
      const state = await ReportRowState.findById(STATE_ID).lean();
      if (!isBuilt(state)) return null;
      const changed = await changedSince(state.through.getTime() - REPORT_ROW_MARGIN_MS);
      if (changed.length > FRESH_MAX) return null;
      const fresh = new Map<number, ReportRow>();
      for (const chunk of chunksOf(changed, TICKET_CHUNK)) for (const r of await rowsWhere({ _id: { $in: chunk } })) fresh.set(r.row.number, r.row);
      return fresh;
    },

    /**
     * Calls `visit` with each row a report of [from, to) reads: those of every block with a fact in the
     * period, and the active ones of every other block, the `fresh` rows (after them) in place of the stored ones. The row object is reused from one call to the next: copy what you keep.
     */
    async visitRows(from: Date, to: Date, fresh: ReadonlyMap<number, ReportRow>, visit: (row: ReportRow) => void): Promise<void> {
      const stored = (row: ReportRow) => {
        if (!fresh.has(row.number)) visit(row);
      };
      // Blocks with a fact in the period, whole; the others only for their active tickets (the backlog).
      const inPeriod = { firstAt: { $lt: to }, lastAt: { $gte: from } };
      const outside = { active: { $gt: 0 }, $or: [{ firstAt: { $gte: to } }, { lastAt: { $lt: from } }] };
      for (const [filter, field] of [[inPeriod, 'rows'], [outside, 'activeRows']] as const) {
        const cursor = ReportRowBlock.find({ format: REPORT_ROW_FORMAT, ...filter }, { [field]: 1 })
          .sort({ _id: 1 })
          .batchSize(READ_BATCH)
          .lean<Partial<Pick<ReportRowBlockDoc, 'rows' | 'activeRows'>>>()
          .cursor();
        for await (const doc of cursor) visitReportRows(bytesOf(doc[field]), stored, { reuse: true });
      }
      for (const row of fresh.values()) visit(row);
    },

    /** Drops the rows of deleted tickets (by number). */
    forget: forgetNumbers,

    /**
     * Makes every block afresh from its tickets, one after the other: what a catch-up could not see
     * (a ticket deleted without {@link forget}, a write outside the models) is mended. Returns how many blocks.
     */
    async remakeAll(): Promise<number> {
      const lastBlock = await lastBlockNow();
      for (let b = 0; b <= lastBlock; b += WRITE_BATCH) await remakeBlocks(b, Math.min(lastBlock, b + WRITE_BATCH - 1));
      return lastBlock + 1;
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type ReportRowStore = ReturnType<typeof createReportRowStore>;
