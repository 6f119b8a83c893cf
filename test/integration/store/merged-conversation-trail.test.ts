import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationTrailFilter } from '../../../src/store/merged-tickets.js';
import { openTestDb } from '../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
beforeAll(async () => {
  db = await openTestDb('merged-trail');
});
afterAll(() => db.drop());

describe("a merged conversation's trail", () => {
  it('Regression: is read on the trail index, not by reading every ticket’s trail, and keeps what it kept', async () => {
    const [root, mergedA, mergedB] = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()];
    const at = (m: number) => new Date(Date.UTC(2026, 10, 1) + m * 60_000);
    const entry = (ticketId: Types.ObjectId, type: string, m: number) => ({ ticketId, type, at: at(m), actor: { kind: 'system' }, data: {} });
    // Other tickets' trails: 3,000 entries the conversation must not read.
    await db.models.TicketEvent.insertMany(Array.from({ length: 3000 }, (_, i) => entry(new Types.ObjectId(), 'note_added', i)));
    await db.models.TicketEvent.insertMany([
      entry(root, 'message_received', 1),
      entry(mergedA, 'message_received', 2),
      entry(mergedA, 'merged', 3),
      entry(root, 'merged', 4),
      entry(mergedB, 'note_added', 5),
      entry(mergedB, 'merged', 6),
    ]);
    const trail = await db.stores.trail.listConversation([root, mergedA, mergedB]);
    // The root's own entries, and the merged tickets' except their own `merged` entries.
    expect(trail.map((e) => `${e.ticketId.equals(root) ? 'root' : e.ticketId.equals(mergedA) ? 'A' : 'B'} ${e.type}`)).toEqual(['root message_received', 'A message_received', 'root merged', 'B note_added']);
    const explain = await db.models.TicketEvent.collection.find(conversationTrailFilter([root, mergedA, mergedB])).sort({ at: 1, _id: 1 }).explain('executionStats');
    expect((explain.executionStats as { totalDocsExamined: number }).totalDocsExamined).toBeLessThanOrEqual(6);
  });
});
