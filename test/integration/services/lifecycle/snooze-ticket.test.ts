import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { SNOOZE_WAKE_JOB } from '../../../../src/services/lifecycle/plan-lifecycle.js';
import { snoozeTicket, unsnoozeTicket, wakeSnoozedTicket } from '../../../../src/services/lifecycle/snooze-ticket.js';
import { addNote } from '../../../../src/services/tickets/add-note.js';
import { countViews, type ListFilters } from '../../../../src/services/tickets/count-views.js';
import { listTickets } from '../../../../src/services/tickets/list-tickets.js';
import { updateTicket } from '../../../../src/services/tickets/update-ticket.js';
import { invalidFields } from '../../../helpers/app-error.js';
import { DAY, lifecycleFixture } from './lifecycle-fixture.js';

let fx: Awaited<ReturnType<typeof lifecycleFixture>>;
const T0 = new Date('2026-11-21T09:00:00Z');
let n = 0;

beforeAll(async () => {
  fx = await lifecycleFixture('lifecycle_snooze');
});
afterAll(() => fx.db.drop());

async function newTicket(): Promise<{ id: Types.ObjectId; messageId: string }> {
  n += 1;
  fx.clock.now = new Date(T0.getTime() + n * 1000);
  const messageId = `snooze-${n}@customer.test`;
  return { id: await fx.mail({ messageId }), messageId };
}
const at = (ms: number) => (fx.clock.now = new Date(T0.getTime() + ms));
const snooze = (id: Types.ObjectId, body: unknown, actor: Actor = fx.agent) => snoozeTicket(fx.actions, actor, id.toHexString(), { json: body });

async function listed(actor: Actor, filters: ListFilters): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await listTickets(fx.deps, actor, { ...filters, limit: '5', ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((t) => t.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

describe('snooze', () => {
  it('hides a snoozed ticket from every view and its count, and lists it in Snoozed; each count equals its list', async () => {
    const mine = await newTicket();
    const unassigned = await newTicket();
    const visible = await newTicket();
    await updateTicket(fx.actions, fx.agent, mine.id.toHexString(), { assigneeId: fx.gina._id.toHexString() });
    await updateTicket(fx.actions, fx.agent, visible.id.toHexString(), { assigneeId: fx.gina._id.toHexString() });
    at(DAY);
    const state = await snooze(mine.id, { until: new Date(T0.getTime() + 3 * DAY).toISOString() });
    expect(state.snooze).toEqual({ until: new Date(T0.getTime() + 3 * DAY), untilReply: false });
    await snooze(unassigned.id, { untilReply: true });

    const snoozed = [mine.id.toHexString(), unassigned.id.toHexString()];
    for (const view of await countViews(fx.deps, fx.agent)) {
      const ids = await listed(fx.agent, view.filters);
      expect(view.count, view.name).toBe(ids.length);
      if (view.name === 'snoozed') expect(ids.sort()).toEqual([...snoozed].sort());
      else for (const id of snoozed) expect(ids, view.name).not.toContain(id);
    }
    expect(await listed(fx.agent, { assignee: 'me', status: 'active' })).toContain(visible.id.toHexString());
    expect(await listed(fx.agent, { snoozed: 'any' })).toEqual(expect.arrayContaining([...snoozed, visible.id.toHexString()]));
    const [entry] = await fx.trail(mine.id, 'snoozed');
    expect(entry).toMatchObject({ actor: { kind: 'user', id: fx.gina._id }, data: { until: new Date(T0.getTime() + 3 * DAY), untilReply: false } });
  });

  it('wakes up when its time comes: back in the lists at the top, marked, on the trail, until someone acts on it', async () => {
    const { id } = await newTicket();
    at(DAY);
    const until = new Date(T0.getTime() + 2 * DAY);
    await snooze(id, { until: until.toISOString() });
    expect(fx.scheduler.forTicket(SNOOZE_WAKE_JOB, id).map((j) => j.at)).toEqual([until]);

    at(2 * DAY - 1000);
    expect(await wakeSnoozedTicket(fx.deps, id)).toBe(false);
    expect((await fx.ticket(id)).snoozed).toBe(true);

    const woke = at(2 * DAY);
    expect(await wakeSnoozedTicket(fx.deps, id)).toBe(true);
    expect(await wakeSnoozedTicket(fx.deps, id)).toBe(false);
    const ticket = await fx.ticket(id);
    expect(ticket.snoozed).toBeUndefined();
    expect(ticket.wokeFromSnooze).toEqual({ at: woke, reason: 'time' });
    expect(ticket.lastActivityAt).toEqual(woke);
    expect(fx.scheduler.forTicket(SNOOZE_WAKE_JOB, id)).toEqual([]);
    const entries = await fx.trail(id, 'snooze_woke');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.data).toMatchObject({ rule: 'snooze', reason: 'time' });
    const [first] = (await listTickets(fx.deps, fx.agent, {})).items;
    expect(first).toMatchObject({ id: id.toHexString(), snooze: null, backFromSnooze: { at: woke, reason: 'time' } });

    await addNote(fx.actions, fx.agent, id.toHexString(), { text: 'Looking at it again' });
    expect((await fx.ticket(id)).wokeFromSnooze).toBeUndefined();
  });

  it('wakes up when the customer writes, whether snoozed until their reply or until a time', async () => {
    for (const body of [{ untilReply: true }, { until: new Date(T0.getTime() + 30 * DAY).toISOString() }]) {
      const { id, messageId } = await newTicket();
      at(DAY);
      await snooze(id, body);
      const wrote = at(2 * DAY);
      await fx.mail({ messageId: `reply-${n}@customer.test`, inReplyTo: messageId });
      const ticket = await fx.ticket(id);
      expect(ticket.snoozed).toBeUndefined();
      expect(ticket.wokeFromSnooze).toEqual({ at: wrote, reason: 'customer_replied' });
      expect(fx.scheduler.forTicket(SNOOZE_WAKE_JOB, id)).toEqual([]);
      const [entry] = await fx.trail(id, 'snooze_woke');
      expect(entry!.data).toMatchObject({ rule: 'snooze', reason: 'customer_replied' });
      expect(await listed(fx.agent, {})).toContain(id.toHexString());
      // An agent's change takes the mark off.
      await updateTicket(fx.actions, fx.agent, id.toHexString(), { priority: 'high' });
      expect((await fx.ticket(id)).wokeFromSnooze).toBeUndefined();
    }
  });

  it('ends by hand: back in the lists without a mark, its wake-up job gone, on the trail', async () => {
    const { id } = await newTicket();
    at(DAY);
    await snooze(id, { until: new Date(T0.getTime() + 5 * DAY).toISOString(), untilReply: true });
    const state = await unsnoozeTicket(fx.actions, fx.agent, id.toHexString());
    expect(state).toMatchObject({ snooze: null, backFromSnooze: null });
    expect(fx.scheduler.forTicket(SNOOZE_WAKE_JOB, id)).toEqual([]);
    expect(await fx.trail(id, 'unsnoozed')).toHaveLength(1);
    // A second time changes nothing.
    await unsnoozeTicket(fx.actions, fx.agent, id.toHexString());
    expect(await fx.trail(id, 'unsnoozed')).toHaveLength(1);
  });

  it('refuses a time in the past, too far ahead, or none without "until the customer replies", naming `until`', async () => {
    const { id } = await newTicket();
    at(DAY);
    for (const body of [{ until: new Date(T0.getTime()).toISOString() }, { until: new Date(T0.getTime() + 400 * DAY).toISOString() }, {}, { untilReply: false }, { until: 'tomorrow' }]) {
      expect(await invalidFields(snooze(id, body)), JSON.stringify(body)).toEqual(['until']);
    }
    expect((await fx.ticket(id)).snoozed).toBeUndefined();
  });

  it('answers 404 to an agent of another inbox, who cannot see the ticket', async () => {
    const { id } = await newTicket();
    at(DAY);
    const outsider: Actor = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [new Types.ObjectId()] };
    await expect(snooze(id, { untilReply: true }, outsider)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(unsnoozeTicket(fx.actions, outsider, id.toHexString())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await fx.ticket(id)).snoozed).toBeUndefined();
  });
});
