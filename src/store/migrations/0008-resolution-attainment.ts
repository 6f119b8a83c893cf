import type { AnyBulkWriteOperation, Document, ObjectId } from 'mongodb';
import type { TeamLevel } from '../../domain/teams.js';
import { metricsCalendarOf, resolutionDueByTarget, slaAttainment } from '../../domain/ticket-metrics.js';
import type { TicketPriority } from '../../domain/ticket-status.js';
import type { Migration } from './migration.js';

const BATCH = 500;

interface SolvedTicket extends Document {
  _id: ObjectId;
  inboxId: ObjectId;
  teamId?: ObjectId | null;
  priority?: TicketPriority;
  createdAt?: Date;
  metrics: { lastSolvedAt: Date };
  sla?: { pausedSeconds?: number | null; levelSince?: Date | null; done?: string[] | null } | null;
}

/**
 * Solved and closed tickets whose resolution attainment is unknown get it from their resolution
 * target: migration 7 could not judge it (stopped clocks keep no due time), nor could a solve made
 * while pending before the metrics judged it by the target. A solved ticket's `sla.pausedSeconds`
 * holds every pause up to its solve, so the due time is worked out as the clock would have run it.
 * Only tickets still unjudged are read, so a second run changes nothing.
 */
export const resolutionAttainment: Migration = {
  version: 8,
  name: 'resolution-attainment',
  async up({ db, logger }) {
    const tickets = db.collection<SolvedTicket>('tickets');
    const policies = new Map<string, unknown>();
    const levels = new Map<string, TeamLevel | null>();
    const policyOf = async (inboxId: ObjectId) => {
      const key = String(inboxId);
      if (!policies.has(key)) policies.set(key, (await db.collection('inboxes').findOne({ _id: inboxId }, { projection: { sla: 1 } }))?.sla ?? null);
      return policies.get(key);
    };
    const levelOf = async (teamId: ObjectId | null | undefined) => {
      if (!teamId) return null;
      const key = String(teamId);
      if (!levels.has(key)) levels.set(key, ((await db.collection('teams').findOne({ _id: teamId }, { projection: { level: 1 } }))?.level as TeamLevel | undefined) ?? null);
      return levels.get(key)!;
    };
    const unjudged = { status: { $in: ['solved', 'closed'] }, 'metrics.lastSolvedAt': { $type: 'date' }, 'metrics.sla.resolution': null };
    let judged = 0;
    let ops: AnyBulkWriteOperation<SolvedTicket>[] = [];
    const flush = async () => {
      if (ops.length > 0) await tickets.bulkWrite(ops, { ordered: false });
      judged += ops.length;
      ops = [];
    };
    const projection = { inboxId: 1, teamId: 1, priority: 1, createdAt: 1, 'metrics.lastSolvedAt': 1, 'sla.pausedSeconds': 1, 'sla.levelSince': 1, 'sla.done': 1 };
    for await (const t of tickets.find(unjudged, { projection })) {
      const calendar = metricsCalendarOf(await policyOf(t.inboxId), t.priority ?? 'normal', await levelOf(t.teamId));
      const solvedAt = t.metrics.lastSolvedAt;
      const due = resolutionDueByTarget({ createdAt: t.createdAt ?? t._id.getTimestamp(), sla: t.sla }, solvedAt, calendar.hours, calendar.resolutionTargetSeconds);
      const attainment = slaAttainment('resolution', solvedAt, due, t.sla?.done);
      if (attainment === null) continue;
      ops.push({ updateOne: { filter: { _id: t._id, 'metrics.sla.resolution': null }, update: { $set: { 'metrics.sla.resolution': attainment } } } });
      if (ops.length >= BATCH) await flush();
    }
    await flush();
    if (judged > 0) logger.info({ tickets: judged }, 'judged the resolution target of older solved tickets');
  },
};
