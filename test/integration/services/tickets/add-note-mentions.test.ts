import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { notifyMentions } from '../../../../src/services/notifications/notify-mentions.js';
import { addNote, type AddNoteDeps } from '../../../../src/services/tickets/add-note.js';
import { createUser } from '../../../helpers/api.js';
import { openTestDb } from '../../../helpers/db.js';
import { noJobs } from '../../../helpers/use-case-deps.js';

// The `mentioned` notification (issue 15): `@handle` in an internal note tells each person it names
// who can see the ticket, once per note; never its author, an outsider or a disabled user.
let db: Awaited<ReturnType<typeof openTestDb>>;
let deps: AddNoteDeps;
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();
const team = new Types.ObjectId();
const ids: Record<string, Types.ObjectId> = {};
let ticket: { _id: Types.ObjectId; number: number; subject: string; inboxId: Types.ObjectId; teamId: Types.ObjectId };
const now = new Date('2026-11-21T09:00:00Z');
const ada = (): Actor => ({ userId: ids.ada!, role: 'agent', inboxIds: [inboxA] });
const mentionedUsers = async (messageId?: string) =>
  (await db.models.Notification.find({ kind: 'mentioned', ...(messageId ? { 'data.messageId': messageId } : {}) }).lean()).map((n) => n.userId.toHexString()).sort();
const hex = (...names: string[]) => names.map((n) => ids[n]!.toHexString()).sort();

beforeAll(async () => {
  db = await openTestDb('add_note_mentions');
  deps = { ...db.stores, scheduler: noJobs, now: () => now };
  const user = async (name: string, email: string, inboxIds: Types.ObjectId[], extra: { role?: 'admin'; disabled?: boolean } = {}) =>
    (ids[name] = (await createUser(db.models, { email, password: `${name} password 123`, inboxIds, name: name[0]!.toUpperCase() + name.slice(1), ...extra }))._id);
  await user('ada', 'ada@help.test', [inboxA]);
  await user('gina', 'gina@help.test', [inboxA]);
  await user('lea', 'lea@help.test', []);
  await user('bob', 'bob@help.test', [inboxB]);
  await user('zed', 'zed@help.test', [], { role: 'admin' });
  await user('gone', 'gone@help.test', [inboxA], { disabled: true });
  await user('annA', 'ann@help.test', [inboxA]);
  await user('annB', 'ann@partner.test', [inboxA]);
  await db.models.Team.create({ _id: team, name: 'Network', level: 'L2', inboxIds: [inboxA], memberIds: [ids.lea!] });
  ticket = (await db.models.Ticket.create({ number: 12, inboxId: inboxA, teamId: team, subject: 'VPN drops', requester: { email: 'paul@customer.test' }, status: 'open', lastActivityAt: now })).toObject() as typeof ticket;
});
afterAll(() => db.drop());

describe('addNote: mentions', () => {
  it('tells the people who can see the ticket (inbox, team, admins), not the author, an outsider, a disabled user or a shared handle', async () => {
    const note = await addNote(deps, ada(), ticket._id.toHexString(), { text: '@gina @lea @zed and @bob, @gone, @ann, @ada: the VPN drops again. @gina please call Paul.' });
    expect(await mentionedUsers(note.id)).toEqual(hex('gina', 'lea', 'zed'));
    const gina = await db.models.Notification.findOne({ userId: ids.gina, kind: 'mentioned' }).lean();
    expect(gina).toMatchObject({ ticketNumber: 12, ticketSubject: 'VPN drops', mail: 'pending', data: { by: { id: ids.ada!.toHexString(), name: 'Ada' }, messageId: note.id } });
    expect(String(gina!.data.excerpt)).toMatch(/^@gina @lea @zed and @bob/);
    expect(String(gina!.data.excerpt).length).toBeLessThanOrEqual(200);
  });

  it('mentions a person sharing a handle by their whole address', async () => {
    const note = await addNote(deps, ada(), ticket._id.toHexString(), { text: 'Over to @ann@partner.test' });
    expect(await mentionedUsers(note.id)).toEqual(hex('annB'));
  });

  it('tells each person once per note, however often it is run, and again for a new note', async () => {
    const note = await addNote(deps, ada(), ticket._id.toHexString(), { text: 'ping @gina' });
    const stored = (await db.models.Message.findById(note.id).lean())!;
    await notifyMentions(deps, { ticket, note: stored, authorId: ids.ada! });
    expect(await mentionedUsers(note.id)).toEqual(hex('gina'));
    const again = await addNote(deps, ada(), ticket._id.toHexString(), { text: 'ping @gina again' });
    expect(await mentionedUsers(again.id)).toEqual(hex('gina'));
    expect(await db.models.Notification.countDocuments({ userId: ids.gina, kind: 'mentioned' })).toBe(3);
  });

  it('records nothing for a note that mentions no one', async () => {
    const before = await db.models.Notification.countDocuments();
    await addNote(deps, ada(), ticket._id.toHexString(), { text: 'Called paul@customer.test, no answer.' });
    expect(await db.models.Notification.countDocuments()).toBe(before);
  });
});
