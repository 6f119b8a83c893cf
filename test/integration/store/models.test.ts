import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { nextSequence } from '../../../src/store/models/counter.js';
import type { Models } from '../../../src/store/models/index.js';
import { hashPassword, verifyPassword } from '../../../src/store/passwords.js';
import { openTestDb } from '../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let models: Models;

beforeAll(async () => {
  db = await openTestDb('models');
  models = db.models;
});
afterAll(() => db.drop());

describe('data model', () => {
  it('declares its indexes in one place and builds them idempotently', async () => {
    const names = (await models.Ticket.collection.indexes()).map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['_id_', 'number_1', 'inboxId_1_status_1_lastActivityAt_-1__id_-1']));
    const messageIndexes = await models.Message.collection.indexes();
    expect(messageIndexes.find((i) => i.name === 'dedupeKey_1')).toMatchObject({ unique: true, sparse: true });
    expect(messageIndexes.find((i) => i.name === 'messageId_1_direction_1')).toMatchObject({ unique: true, partialFilterExpression: { direction: 'outbound', messageId: { $type: 'string' } } });
  });

  it('hands out ticket numbers once each under concurrency', async () => {
    const numbers = await Promise.all(Array.from({ length: 40 }, () => nextSequence(models.Counter, 'ticket-test')));
    expect(new Set(numbers).size).toBe(40);
    expect(Math.min(...numbers)).toBe(1);
    expect(Math.max(...numbers)).toBe(40);
  });

  it('refuses a second ticket with the same number', async () => {
    const base = { inboxId: new Types.ObjectId(), subject: 's', requester: { email: 'a@example.com' } };
    await models.Ticket.create({ ...base, number: 1001 });
    await expect(models.Ticket.create({ ...base, number: 1001 })).rejects.toMatchObject({ code: 11000 });
  });

  it('keeps one stored copy per dedupe key, while notes without a key coexist', async () => {
    const base = { ticketId: new Types.ObjectId(), inboxId: new Types.ObjectId() };
    await models.Message.create({ ...base, direction: 'inbound', dedupeKey: 'mid:<a@x>|sha:1' });
    await expect(models.Message.create({ ...base, direction: 'inbound', dedupeKey: 'mid:<a@x>|sha:1' })).rejects.toMatchObject({ code: 11000 });
    await models.Message.create({ ...base, direction: 'note', text: 'one' });
    await models.Message.create({ ...base, direction: 'note', text: 'two' });
    expect(await models.Message.countDocuments({ ticketId: base.ticketId })).toBe(3);
  });

  it('lowercases emails and keeps them unique per user', async () => {
    const passwordHash = await hashPassword('a long enough password');
    await models.User.create({ email: 'Agent@Example.com', role: 'agent', passwordHash });
    await expect(models.User.create({ email: 'agent@example.com', role: 'agent', passwordHash })).rejects.toMatchObject({ code: 11000 });
    const plain = await models.User.findOne({ email: 'agent@example.com' }).lean();
    expect(plain).not.toHaveProperty('passwordHash');
    const withHash = await models.User.findOne({ email: 'agent@example.com' }).select('+passwordHash').lean();
    expect(withHash?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(withHash!.passwordHash, 'a long enough password')).toBe(true);
    expect(await verifyPassword(withHash!.passwordHash, 'wrong')).toBe(false);
  });

  it('rejects an unknown ticket status', async () => {
    await expect(
      models.Ticket.create({ number: 2002, inboxId: new Types.ObjectId(), requester: { email: 'a@example.com' }, status: 'lost' as never }),
    ).rejects.toThrow(/status/);
  });

  it('keeps the ticket trail in order', async () => {
    const ticketId = new Types.ObjectId();
    for (const type of ['created', 'message_received', 'assigned'] as const) {
      await models.TicketEvent.create({ ticketId, type, actor: { kind: 'system' }, data: { type } });
    }
    const trail = await models.TicketEvent.find({ ticketId }).sort({ at: 1, _id: 1 }).lean();
    expect(trail.map((e) => e.type)).toEqual(['created', 'message_received', 'assigned']);
  });
});
