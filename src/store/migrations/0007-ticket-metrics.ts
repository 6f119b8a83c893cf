import type { AnyBulkWriteOperation, Document, ObjectId } from 'mongodb';
import type { TicketStatus } from '../../domain/ticket-status.js';
import { durationSeconds, isReopenEvent, slaAttainment, slaCalendarOf, type TicketMetrics } from '../../domain/ticket-metrics.js';
import { isAgentStarted } from '../../domain/ticket.js';
import type { Migration } from './migration.js';

const BATCH = 500;

interface OldTicket extends Document {
  _id: ObjectId;
  inboxId: ObjectId;
  status: TicketStatus;
  /** Absent on tickets written before timestamps were kept. */
  createdAt?: Date;
  originKey?: string | null;
  solvedAt?: Date | null;
  metrics?: unknown;
  sla?: { firstRespondedAt?: Date | null; done?: string[] | null } | null;
}

interface TrailRow extends Document {
  ticketId: ObjectId;
  type: string;
  at: Date;
  data?: { from?: TicketStatus; to?: TicketStatus } | null;
}

/**
 * The metrics of a ticket stored before they were (domain/ticket-metrics.ts), from what it kept: the
 * first response from `sla.firstRespondedAt` (none for an agent-started conversation); the last solve
 * from its trail's last transition to solved (else `solvedAt`); reopens from its `reopened` entries and
 * its status changes from solved or closed back to active. SLA attainment is known only where a breach
 * was recorded (`breached`), else left null: the due times of a stopped clock were not kept.
 */
export function backfilledMetrics(t: OldTicket, trail: readonly TrailRow[], hours: ReturnType<typeof slaCalendarOf>): TicketMetrics {
  const metrics: TicketMetrics = { reopenCount: 0, sla: {} };
  const done = t.sla?.done ?? [];
  const firstAt = t.sla?.firstRespondedAt;
  // A ticket written before timestamps were kept was created when its id was made.
  const created = t.createdAt ?? t._id.getTimestamp();
  if (firstAt && !isAgentStarted(t)) {
    const d = durationSeconds(created, firstAt, hours);
    Object.assign(metrics, { firstResponseAt: firstAt, firstResponseSeconds: d.seconds, firstResponseBusinessSeconds: d.businessSeconds });
    metrics.sla!.firstResponse = slaAttainment('firstResponse', firstAt, null, done);
  }
  const solves = trail.filter((e) => e.type === 'status_changed' && e.data?.to === 'solved').map((e) => e.at);
  const lastSolved = solves.sort((a, b) => a.getTime() - b.getTime()).at(-1) ?? t.solvedAt ?? null;
  if (lastSolved) {
    const d = durationSeconds(created, lastSolved, hours);
    Object.assign(metrics, { lastSolvedAt: lastSolved, resolutionSeconds: d.seconds, resolutionBusinessSeconds: d.businessSeconds });
    metrics.sla!.resolution = slaAttainment('resolution', lastSolved, null, done);
    metrics.sla!.nextResponse = slaAttainment('nextResponse', lastSolved, null, done);
  }
  metrics.reopenCount = trail.filter(isReopenEvent).length;
  return metrics;
}

/**
 * Tickets get their stored metrics (domain/ticket-metrics.ts), computed from their SLA state and trail
 * by {@link backfilledMetrics}, in batches of 500 (one trail query per batch). Only tickets without
 * `metrics` are read, so a second run changes nothing, and a ticket written meanwhile keeps its own.
 */
export const ticketMetrics: Migration = {
  version: 7,
  name: 'ticket-metrics',
  async up({ db, logger }) {
    const tickets = db.collection<OldTicket>('tickets');
    const events = db.collection<TrailRow>('ticket_events');
    const inboxes = db.collection<{ _id: ObjectId; sla?: unknown }>('inboxes');
    const calendars = new Map<string, ReturnType<typeof slaCalendarOf>>();
    const calendarOf = async (inboxId: ObjectId) => {
      const key = String(inboxId);
      if (!calendars.has(key)) calendars.set(key, slaCalendarOf((await inboxes.findOne({ _id: inboxId }, { projection: { sla: 1 } }))?.sla));
      return calendars.get(key)!;
    };
    let filled = 0;
    let batch: OldTicket[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const trail = await events
        .find({ ticketId: { $in: batch.map((t) => t._id) }, type: { $in: ['status_changed', 'reopened'] } }, { projection: { ticketId: 1, type: 1, at: 1, data: 1 } })
        .toArray();
      const byTicket = new Map<string, TrailRow[]>();
      for (const e of trail) byTicket.set(String(e.ticketId), [...(byTicket.get(String(e.ticketId)) ?? []), e]);
      const ops: AnyBulkWriteOperation<OldTicket>[] = [];
      for (const t of batch) {
        const metrics = backfilledMetrics(t, byTicket.get(String(t._id)) ?? [], await calendarOf(t.inboxId));
        ops.push({ updateOne: { filter: { _id: t._id, metrics: { $exists: false } }, update: { $set: { metrics } } } });
      }
      await tickets.bulkWrite(ops, { ordered: false });
      filled += ops.length;
      batch = [];
    };
    const projection = { inboxId: 1, status: 1, createdAt: 1, originKey: 1, solvedAt: 1, 'sla.firstRespondedAt': 1, 'sla.done': 1 };
    for await (const t of tickets.find({ metrics: { $exists: false } }, { projection })) {
      batch.push(t);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    if (filled > 0) logger.info({ tickets: filled }, 'stored first response, resolution and reopen metrics on older tickets');
  },
};
