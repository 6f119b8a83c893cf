import { AppError } from './errors.js';
import type { SatisfactionRating } from './satisfaction.js';
import type { SlaAttainment } from './ticket-metrics.js';
import { TICKET_PRIORITIES } from './ticket-status.js';
import type { ReportRow } from './report-row.js';

/**
 * The bytes of a block of report rows (store/report-row-store.ts keeps one document per block of
 * ticket numbers). A block is read as a whole by every report, so it is packed: the ids and tags the
 * block names once each in a table at its head, each row then a fixed part, its optional parts
 * behind flags, and its counted trail entries. Decoding reads numbers straight off the buffer, with no
 * document parsing per row or per entry. Pure; little-endian throughout.
 *
 * Layout: u8 format, u32 rows, u16 ids + 12 bytes each, u16 tags + (u16 length, UTF-8) each; then
 * per row: u32 number, u16 ticket id, u8 flags, u8 priority, u16 inbox, team, assignee, category
 * (0xFFFF: none), f64 created, f64 row time; first response (f64 at, seconds, business seconds, u8
 * SLA); resolution (f64 at, seconds, business seconds, u8 next-response SLA, u8 resolution SLA);
 * rating (f64 at, u8 rating); u16 tags + u16 each; u32 entries + (f64 at, u8 kinds, u16 actor) each.
 */

/** The format this module writes and reads; a block of another format is rebuilt. */
export const REPORT_ROW_FORMAT = 2;

/** A row as a block keeps it: the row, and when it was made (the newer of two makings of a ticket wins). */
export interface StoredReportRow {
  row: ReportRow;
  /** When the sources it was made from were read (ms). */
  madeAt: number;
}

const NONE = 0xffff;
const FLAG = { excluded: 1, active: 2, reopened: 4, firstResponse: 8, resolution: 16, rating: 32, commented: 64 } as const;
const SLA: readonly SlaAttainment[] = [null, 'met', 'breached'];
const RATINGS: readonly SatisfactionRating[] = ['good', 'okay', 'bad'];
const HEX_ID = /^[0-9a-f]{24}$/;

class Writer {
  private buf = Buffer.alloc(4096);
  private at = 0;
  private room(n: number) {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }
  u8(v: number) {
    this.room(1);
    this.buf.writeUInt8(v, this.at);
    this.at += 1;
  }
  u16(v: number) {
    this.room(2);
    this.buf.writeUInt16LE(v, this.at);
    this.at += 2;
  }
  u32(v: number) {
    this.room(4);
    this.buf.writeUInt32LE(v, this.at);
    this.at += 4;
  }
  f64(v: number) {
    this.room(8);
    this.buf.writeDoubleLE(v, this.at);
    this.at += 8;
  }
  bytes(b: Buffer) {
    this.room(b.length);
    b.copy(this.buf, this.at);
    this.at += b.length;
  }
  done(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

/** A table of distinct values, each given its index once (16 bits, 0xFFFF meaning none). */
class Table<T> {
  readonly values: T[] = [];
  private readonly index = new Map<T, number>();
  constructor(private readonly what: string) {}
  of(v: T): number {
    let i = this.index.get(v);
    if (i === undefined) {
      i = this.values.length;
      if (i >= NONE) tooMany(this.what);
      this.values.push(v);
      this.index.set(v, i);
    }
    return i;
  }
}

function tooMany(what: string): never {
  throw new AppError('INTERNAL', `A block of report rows names more than ${NONE - 1} ${what}`);
}

/** Packs a block's rows (any order; written by number). */
export function encodeReportRows(rows: readonly StoredReportRow[]): Buffer {
  const ids = new Table<string>('ids');
  const tags = new Table<string>('tags');
  const idOf = (hex: string | null) => (hex === null ? NONE : ids.of(hex));
  const body = new Writer();
  for (const { row, madeAt } of [...rows].sort((a, b) => a.row.number - b.row.number)) {
    const fr = row.firstResponse;
    const res = row.resolution;
    const flags =
      (row.excluded ? FLAG.excluded : 0) | (row.active ? FLAG.active : 0) | (res?.reopened ? FLAG.reopened : 0) | (fr ? FLAG.firstResponse : 0) | (res ? FLAG.resolution : 0) | (row.rating ? FLAG.rating : 0) | (row.rating?.commented ? FLAG.commented : 0);
    body.u32(row.number);
    body.u16(idOf(row.ticketId));
    body.u8(flags);
    body.u8(Math.max(0, TICKET_PRIORITIES.indexOf(row.priority)));
    for (const id of [row.inboxId, row.teamId, row.assigneeId, row.categoryId]) body.u16(idOf(id));
    body.f64(row.createdAt);
    body.f64(madeAt);
    if (fr) {
      for (const v of [fr.at, fr.seconds, fr.businessSeconds]) body.f64(v);
      body.u8(SLA.indexOf(fr.sla));
    }
    if (res) {
      for (const v of [res.at, res.seconds, res.businessSeconds]) body.f64(v);
      body.u8(SLA.indexOf(res.nextResponseSla));
      body.u8(SLA.indexOf(res.resolutionSla));
    }
    if (row.rating) {
      body.f64(row.rating.at);
      body.u8(RATINGS.indexOf(row.rating.rating));
    }
    if (row.tags.length >= NONE) tooMany('tags on one ticket');
    body.u16(row.tags.length);
    for (const t of row.tags) body.u16(tags.of(t));
    body.u32(row.events.length);
    for (const e of row.events) {
      body.f64(e.at);
      body.u8(e.kinds);
      body.u16(idOf(e.actorId));
    }
  }
  const head = new Writer();
  head.u8(REPORT_ROW_FORMAT);
  head.u32(rows.length);
  head.u16(ids.values.length);
  for (const hex of ids.values) {
    if (!HEX_ID.test(hex)) throw new AppError('INTERNAL', `A report row names an id that is not one: ${JSON.stringify(hex).slice(0, 40)}`);
    head.bytes(Buffer.from(hex, 'hex'));
  }
  head.u16(tags.values.length);
  for (const t of tags.values) {
    const b = Buffer.from(t, 'utf8');
    head.u16(b.length);
    head.bytes(b);
  }
  head.bytes(body.done());
  return Buffer.from(head.done());
}

/** Unpacks a block written by {@link encodeReportRows}, each row its own objects; throws on another format or cut bytes. */
export function decodeReportRows(bytes: Uint8Array): StoredReportRow[] {
  const out: StoredReportRow[] = [];
  visitReportRows(bytes, (row, madeAt) => out.push({ row, madeAt }), { reuse: false });
  return out;
}

/**
 * Calls `visit` with each row of a block, in number order. With `reuse`, one row object (and its
 * parts and entries) is filled again for each row, so reading a block makes almost no garbage: the
 * visitor must copy what it keeps. Throws on another format or cut bytes.
 */
export function visitReportRows(bytes: Uint8Array, visit: (row: ReportRow, madeAt: number) => void, opts: { reuse: boolean }): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  // Reads past the end throw RangeError (ERR_OUT_OF_RANGE): cut bytes, reported below.
  const u8 = () => buf.readUInt8((at += 1) - 1);
  const u16 = () => buf.readUInt16LE((at += 2) - 2);
  const u32 = () => buf.readUInt32LE((at += 4) - 4);
  const f64 = () => buf.readDoubleLE((at += 8) - 8);
  try {
    const format = u8();
    if (format !== REPORT_ROW_FORMAT) throw new AppError('INTERNAL', `A block of report rows is of format ${format}, not ${REPORT_ROW_FORMAT}`);
    const count = u32();
    const ids: string[] = [];
    for (let n = u16(), i = 0; i < n; i++) {
      if (at + 12 > buf.length) throw new RangeError('cut');
      ids.push(buf.toString('hex', at, (at += 12)));
    }
    const tags: string[] = [];
    for (let n = u16(), i = 0; i < n; i++) {
      const len = u16();
      if (at + len > buf.length) throw new RangeError('cut');
      tags.push(buf.toString('utf8', at, (at += len)));
    }
    const id = (i: number) => (i === NONE ? null : (ids[i] ?? null));
    const shared = blankRow();
    const pool: ReportRow['events'] = [];
    for (let r = 0; r < count; r++) {
      const row = opts.reuse ? shared : blankRow();
      row.number = u32();
      row.ticketId = id(u16()) ?? '';
      const flags = u8();
      row.priority = TICKET_PRIORITIES[u8()] ?? 'normal';
      row.inboxId = id(u16()) ?? '';
      row.teamId = id(u16());
      row.assigneeId = id(u16());
      row.categoryId = id(u16());
      row.excluded = Boolean(flags & FLAG.excluded);
      row.active = Boolean(flags & FLAG.active);
      row.createdAt = f64();
      const madeAt = f64();
      if (flags & FLAG.firstResponse) {
        const fr = (opts.reuse ? shared.firstResponse : null) ?? { at: 0, seconds: 0, businessSeconds: 0, sla: null };
        fr.at = f64();
        fr.seconds = f64();
        fr.businessSeconds = f64();
        fr.sla = SLA[u8()] ?? null;
        row.firstResponse = fr;
      } else row.firstResponse = null;
      if (flags & FLAG.resolution) {
        const res = (opts.reuse ? shared.resolution : null) ?? { at: 0, seconds: 0, businessSeconds: 0, nextResponseSla: null, resolutionSla: null, reopened: false };
        res.at = f64();
        res.seconds = f64();
        res.businessSeconds = f64();
        res.nextResponseSla = SLA[u8()] ?? null;
        res.resolutionSla = SLA[u8()] ?? null;
        res.reopened = Boolean(flags & FLAG.reopened);
        row.resolution = res;
      } else row.resolution = null;
      if (flags & FLAG.rating) {
        const rating = (opts.reuse ? shared.rating : null) ?? { at: 0, rating: 'okay' as SatisfactionRating, commented: false };
        rating.at = f64();
        rating.rating = RATINGS[u8()] ?? 'okay';
        rating.commented = Boolean(flags & FLAG.commented);
        row.rating = rating;
      } else row.rating = null;
      row.tags.length = 0;
      for (let n = u16(), i = 0; i < n; i++) row.tags.push(tags[u16()] ?? '');
      row.events.length = 0;
      for (let n = u32(), i = 0; i < n; i++) {
        const e = (opts.reuse ? pool[i] : undefined) ?? { at: 0, kinds: 0, actorId: null };
        if (opts.reuse) pool[i] = e;
        e.at = f64();
        e.kinds = u8();
        e.actorId = id(u16());
        row.events.push(e);
      }
      visit(row, madeAt);
    }
  } catch (err) {
    if (err instanceof RangeError) throw new AppError('INTERNAL', 'A block of report rows is cut short');
    throw err;
  }
}

function blankRow(): ReportRow {
  return { number: 0, ticketId: '', inboxId: '', teamId: null, assigneeId: null, categoryId: null, priority: 'normal', tags: [], excluded: false, active: false, createdAt: 0, firstResponse: null, resolution: null, rating: null, events: [] };
}
