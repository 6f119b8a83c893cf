import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One block of report rows (`report_rows`): the rows of the tickets numbered from `_id × 256` on, packed
 * by domain/report-row-codec.ts. Written by store/report-row-store.ts only, whole, under a compare on
 * `v`; `active`, `firstAt` and `lastAt` say which reports must read it (or only its active rows) without unpacking it.
 */
export interface ReportRowBlockDoc {
  /** The block's index: its tickets are numbered [_id × 256, (_id + 1) × 256). */
  _id: number;
  /** Incremented by every write (a writer that read an older one retries). */
  v: number;
  format: number;
  rows: Buffer;
  /** The same of its active rows alone: what a report of a period the block has no fact in reads (the backlog). */
  activeRows: Buffer;
  count: number;
  /** Its rows in an active status (the backlog reads every block that has one). */
  active: number;
  /** Its earliest creation and its latest fact (creation, answer, solve, rating, trail entry). */
  firstAt: Date | null;
  lastAt: Date | null;
}

const reportRowBlockSchema = new Schema<ReportRowBlockDoc>(
  {
    _id: { type: Number, required: true },
    v: { type: Number, required: true },
    format: { type: Number, required: true },
    rows: { type: Buffer, required: true },
    activeRows: { type: Buffer, required: true },
    count: { type: Number, required: true },
    active: { type: Number, required: true },
    firstAt: { type: Date, default: null },
    lastAt: { type: Date, default: null },
  },
  { collection: 'report_rows', versionKey: false },
);

export type ReportRowBlockModel = Model<ReportRowBlockDoc>;

export function reportRowBlockModel(conn: Connection): ReportRowBlockModel {
  return conn.model<ReportRowBlockDoc>('ReportRowBlock', reportRowBlockSchema);
}

/**
 * How far the report rows are (`report_row_state`, one document): built in which format, and up to
 * when every change of a ticket, its trail and its rating is in them; while a build runs, its start
 * and the next block it does.
 */
export interface ReportRowStateDoc {
  _id: string;
  format: number;
  /** Every change made before this moment (less a margin, see the store) is in the rows; null: not built. */
  through: Date | null;
  build: { startedAt: Date; next: number } | null;
}

const reportRowStateSchema = new Schema<ReportRowStateDoc>(
  {
    _id: { type: String, required: true },
    format: { type: Number, required: true },
    through: { type: Date, default: null },
    build: { type: new Schema({ startedAt: { type: Date, required: true }, next: { type: Number, required: true } }, { _id: false }), default: null },
  },
  { collection: 'report_row_state', versionKey: false },
);

export type ReportRowStateModel = Model<ReportRowStateDoc>;

export function reportRowStateModel(conn: Connection): ReportRowStateModel {
  return conn.model<ReportRowStateDoc>('ReportRowState', reportRowStateSchema);
}
