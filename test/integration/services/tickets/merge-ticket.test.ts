import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { getTicket, type TicketDetailView } from '../../../../src/services/tickets/get-ticket.js';
import { mergeTicket } from '../../../../src/services/tickets/merge-ticket.js';
import { openMailBody } from '../../../../src/services/tickets/open-mail-body.js';
import type { Models } from '../../../../src/store/models/index.js';
import { createTicketStore } from '../../../../src/store/ticket-store.js';
import { openTestDb } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let models: Models;
const inboxId = new Types.ObjectId();
const agent: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const deps = () => ({ tickets: db.stores.tickets, teams: db.stores.teams, now: () => new Date(), refreshSla: async () => {} });
let number = 0;

beforeAll(async () => {
  db = await openTestDb('merge_ticket');
  models = db.models;
});
afterAll(() => db.drop());

/** A ticket of one requester with `count` customer messages and their arrival events, as ingest leaves them. */
async function ticketWith(count: number, requester = 'ivo@customer.test'): Promise<{ id: string; messageIds: string[] }> {
  number += 1;
  const ticket = await models.Ticket.create({ number, inboxId, subject: `Case ${number}`, requester: { email: requester }, status: 'open', messageCount: count });
  const base = Date.now() - 3_600_000;
  const messages = await models.Message.insertMany(
    Array.from({ length: count }, (_, i) => ({
      ticketId: ticket._id, inboxId, direction: 'inbound', messageId: `m${i}.t${number}@customer.test`, from: { address: requester },
      subject: `Case ${number}`, text: `Message ${i}`, html: `<p>Message ${i}</p>`, createdAt: new Date(base + i * 1000 + number),
    })),
  );
  await models.TicketEvent.insertMany(messages.map((m) => ({ ticketId: ticket._id, type: 'message_received', actor: { kind: 'contact', label: requester }, at: m.createdAt, data: { messageId: m._id } })));
  return { id: ticket._id.toHexString(), messageIds: messages.map((m) => m._id.toHexString()) };
}

const ids = (view: TicketDetailView) => view.messages.map((m) => m.id);
const same = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

/**
 * One reader's look at both tickets, through the use case the API's `GET /tickets/:id` uses: the
 * merged ticket, the survivor, the merged ticket again. What is wrong with it, if anything.
 */
async function readBoth(from: { id: string; messageIds: string[] }, into: { id: string; messageIds: string[] }): Promise<string[]> {
  const first = await getTicket(db.stores, agent, from.id);
  const target = await getTicket(db.stores, agent, into.id);
  const again = await getTicket(db.stores, agent, from.id);
  const all = [...from.messageIds, ...into.messageIds];
  const wrong: string[] = [];
  // Each view on its own: a merged ticket lists nothing (it points at the survivor), an unmerged one
  // its own messages; the survivor lists its own conversation or both, whole.
  for (const view of [first, again]) {
    if (!same(ids(view), view.mergedInto ? [] : from.messageIds)) wrong.push(`the ${view.mergedInto ? 'merged' : 'unmerged'} ticket listed ${ids(view).length} messages`);
  }
  if (!same(ids(target), into.messageIds) && !same(ids(target), all)) wrong.push(`the survivor listed ${ids(target).length} messages`);
  // The merge took effect before, or after, both reads of the merged ticket: the survivor's read in
  // between saw the same moment, so every message must be on exactly one of the two.
  const listed = [...ids(first), ...ids(target)];
  if (Boolean(first.mergedInto) === Boolean(again.mergedInto) && !same(listed, all)) {
    wrong.push(`${listed.length - new Set(listed).size} messages on both tickets, ${all.filter((id) => !listed.includes(id)).length} on neither`);
  }
  return wrong;
}

const WRITES = new Set(['updateOne', 'updateMany', 'insertMany', 'create', 'findOneAndUpdate', 'bulkWrite', 'deleteOne', 'deleteMany']);

/** The models, except that every write waits, once done, until `look` has read the database. */
function pausingAfterWrites(look: () => Promise<void>): Models {
  return new Proxy(models, {
    get(all, name) {
      const model: object = Reflect.get(all, name);
      return new Proxy(model, {
        get(m, method) {
          const value: unknown = Reflect.get(m, method, m);
          if (typeof value !== 'function') return value;
          if (!WRITES.has(String(method))) return value.bind(m);
          return (...args: unknown[]) => Promise.resolve(value.apply(m, args)).then(async (result: unknown) => {
            await look();
            return result;
          });
        },
      });
    },
  });
}

describe('a reader saw a message on two tickets (or on none) while a merge ran', () => {
  it('lists every message on exactly one of the two tickets at every step of the merge', async () => {
    const from = await ticketWith(150);
    const into = await ticketWith(40);
    const problems: string[] = [];
    let looks = 0;
    const look = async () => {
      looks += 1;
      problems.push(...(await readBoth(from, into)).map((p) => `after write ${looks}: ${p}`));
    };
    await mergeTicket({ ...deps(), tickets: createTicketStore(pausingAfterWrites(look)) }, agent, from.id, { intoId: into.id });
    expect(problems).toEqual([]);
    expect(looks).toBeGreaterThan(3);
    expect(ids(await getTicket(db.stores, agent, from.id))).toEqual([]);
    expect(same(ids(await getTicket(db.stores, agent, into.id)), [...from.messageIds, ...into.messageIds])).toBe(true);
  });

  it('lists every message on exactly one of the two tickets at every read of readers running alongside', async () => {
    const problems: string[] = [];
    let reads = 0;
    for (let round = 0; round < 2; round++) {
      const from = await ticketWith(200);
      const into = await ticketWith(30);
      let merging = true;
      const reader = async () => {
        // A few reads even if the merge is done first, then as many as it takes.
        for (let i = 0; merging || i < 3; i++) {
          problems.push(...(await readBoth(from, into)).map((p) => `round ${round}: ${p}`));
          reads += 1;
        }
      };
      const readers = Promise.all([reader(), reader(), reader()]);
      const merged = await mergeTicket(deps(), agent, from.id, { intoId: into.id });
      merging = false;
      await readers;
      expect(merged.messageCount).toBe(230);
    }
    expect(problems).toEqual([]);
    expect(reads).toBeGreaterThanOrEqual(18);
  });

  it('shows the merged conversation on the survivor in arrival order, with its trail, and opens its mail bodies there', async () => {
    const from = await ticketWith(3);
    const into = await ticketWith(2);
    await mergeTicket(deps(), agent, from.id, { intoId: into.id });

    const survivor = await getTicket(db.stores, agent, into.id);
    const times = survivor.messages.map((m) => new Date(m.createdAt).getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(survivor.events.filter((e) => e.type === 'message_received')).toHaveLength(5);
    expect(survivor.events.filter((e) => e.type === 'merged').map((e) => e.data.fromNumber)).toEqual([number - 1]);
    const merged = await getTicket(db.stores, agent, from.id);
    expect(merged).toMatchObject({ status: 'closed', messageCount: 0, messages: [], mergedInto: { id: into.id } });
    expect(merged.events.map((e) => e.type)).toEqual(['merged']);

    const body = await openMailBody({ ...db.stores, sign: () => 'x'.repeat(64), now: () => new Date() }, agent, into.id, from.messageIds[0]!);
    expect(body.html).toContain('Message 0');
  });
});
