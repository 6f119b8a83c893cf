import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { expect } from 'vitest';
import { decodeReportRows, REPORT_ROW_FORMAT } from '../../src/domain/report-row-codec.js';
import { REPORT_ROW_EVENT_TYPES, reportRowOf, type ReportRow } from '../../src/domain/report-row.js';
import type { TicketEventType } from '../../src/domain/ticket-events.js';
import type { Models } from '../../src/store/models/index.js';
import type { TicketDoc } from '../../src/store/models/ticket.js';
import type { ReportRowStore } from '../../src/store/report-row-store.js';
import { openTestDb } from './db.js';

// Fixtures of the report rows' tests against the test server. Fixture tickets and trail entries are dated in the past,
// their ids and `updatedAt` too (data written long ago), so a catch-up sees exactly the writes a test
// makes (stamped by the wall clock) and nothing of the fixture.
export const d = (iso: string) => new Date(iso);
export const LONG_AGO = d('2020-01-01T00:00:00Z');

/** An id whose time is `at` (a document written then), unique. */
export const idAt = (at: Date) => new Types.ObjectId(Math.floor(at.getTime() / 1000).toString(16).padStart(8, '0') + randomBytes(8).toString('hex'));

export async function openDb(prefix: string) {
  const db = await openTestDb(prefix);
  const account = { imap: { host: 'h', port: 1 }, smtp: { host: 'h', port: 1 } };
  const inbox = await db.models.Inbox.create({ name: 'Support', address: `${prefix}@rows.test`, ...account });
  const [x, y] = await db.models.User.create([
    { email: 'x@rows.test', name: 'Xavier', role: 'agent', passwordHash: 'x', inboxIds: [inbox._id] },
    { email: 'y@rows.test', name: 'Yara', role: 'agent', passwordHash: 'x', inboxIds: [inbox._id] },
  ]);
  return { db, models: db.models, inboxId: inbox._id, x: x!._id, y: y!._id };
}

/** Tickets written long ago (ids and `updatedAt` in the past): `over` sets their fields. */
export async function oldTickets(models: Models, inboxId: Types.ObjectId, tickets: Array<{ number: number } & Record<string, unknown>>) {
  const docs = tickets.map((t) => ({ _id: idAt(LONG_AGO), inboxId, subject: `T${t.number}`, requester: { email: 'c@customer.test' }, status: 'open', createdAt: d('2025-01-10T10:00:00Z'), ...t }));
  const created = await models.Ticket.create(docs as Array<Partial<TicketDoc>>);
  await models.Ticket.collection.updateMany({ _id: { $in: created.map((t) => t._id) } }, { $set: { updatedAt: LONG_AGO } });
  return created.map((t) => t._id);
}

/** Trail entries written long ago. */
export function oldEntries(models: Models, entries: Array<{ ticketId: Types.ObjectId; type: TicketEventType; at: Date; actor: { kind: 'user' | 'system' | 'contact'; id?: Types.ObjectId }; data?: object }>) {
  return models.TicketEvent.create(entries.map((e) => ({ _id: idAt(LONG_AGO), data: {}, ...e })));
}

/** The row a ticket should have, made here from what the database holds now. */
export async function expectedRow(models: Models, number: number): Promise<ReportRow> {
  const t = (await models.Ticket.findOne({ number }).lean())!;
  const trail = await models.TicketEvent.find({ ticketId: t._id, type: { $in: [...REPORT_ROW_EVENT_TYPES] } }).lean();
  const rating = await models.SatisfactionRating.findOne({ ticketId: t._id }).lean();
  const hex = (id: Types.ObjectId | null | undefined) => id?.toHexString() ?? null;
  return reportRowOf(
    {
      number: t.number, ticketId: t._id.toHexString(), inboxId: t.inboxId.toHexString(), teamId: hex(t.teamId), assigneeId: hex(t.assigneeId), categoryId: hex(t.categoryId),
      priority: t.priority, tags: t.tags, status: t.status, merged: Boolean(t.mergedIntoId), createdAt: t.createdAt, metrics: t.metrics,
    },
    trail.map((e) => ({ type: e.type, at: e.at, actor: { kind: e.actor.kind, id: hex(e.actor.id) }, data: e.data })),
    rating ? { rating: rating.rating ?? null, ratedAt: rating.ratedAt ?? null, comment: rating.comment ?? null } : null,
  );
}

/** Every row the blocks hold, by number. */
export async function allRows(models: Models): Promise<Map<number, ReportRow>> {
  const rows = new Map<number, ReportRow>();
  for (const block of await models.ReportRowBlock.find({ format: REPORT_ROW_FORMAT }).sort({ _id: 1 })) for (const { row } of decodeReportRows(block.rows)) rows.set(row.number, row);
  return rows;
}

/** The rows a report of [from, to) reads, by number (copies: the store reuses the object it visits with). */
export async function rowsIn(store: ReportRowStore, from: Date, to: Date, fresh: ReadonlyMap<number, ReportRow> = new Map()): Promise<Map<number, ReportRow>> {
  const rows = new Map<number, ReportRow>();
  await store.visitRows(from, to, fresh, (row) => {
    expect(rows.has(row.number)).toBe(false);
    rows.set(row.number, structuredClone(row));
  });
  return rows;
}

export const blocks = async (models: Models) => (await models.ReportRowBlock.find({}, { rows: 0 }).sort({ _id: 1 }).lean()).map((b) => ({ _id: b._id, count: b.count, format: b.format }));
export const sorted = (rows: Map<number, ReportRow>) => [...rows.values()].sort((a, b) => a.number - b.number);
