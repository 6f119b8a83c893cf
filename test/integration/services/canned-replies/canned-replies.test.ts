import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import type { UserRole } from '../../../../src/domain/user-roles.js';
import { createCannedReply, deleteCannedReply, listCannedReplies, updateCannedReply } from '../../../../src/services/canned-replies/canned-replies.js';
import { appErrorFrom, invalidFields } from '../../../helpers/app-error.js';
import { openTestDb } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const as = (role: UserRole, ...inboxIds: Types.ObjectId[]): Actor => ({ userId: new Types.ObjectId(), role, inboxIds });
let n = 0;

beforeAll(async () => {
  db = await openTestDb('canned_replies');
});
afterAll(() => db.drop());

/** A new inbox of its own, with a manager and an agent who belong to it; `id` as the API passes it. */
async function inbox() {
  n += 1;
  const doc = await db.models.Inbox.create({ name: `Inbox ${n}`, address: `inbox${n}@canned.test`, imap: { host: 'imap.test', port: 993 }, smtp: { host: 'smtp.test', port: 465 } });
  return { id: doc._id.toHexString(), name: doc.name, manager: as('manager', doc._id), agent: as('agent', doc._id) };
}
const titles = async (actor: Actor, inboxId: string) => (await listCannedReplies(db.stores, actor, inboxId)).items.map((r) => r.title);

describe('creating canned replies', () => {
  it('is for admins and the inbox’s managers; the text is trimmed and its line breaks stored as LF', async () => {
    const box = await inbox();
    const made = await createCannedReply(db.stores, box.manager, box.id, { title: '  Refund  ', body: '\r\nHi {{customer.name}},\r\n\r\nYour refund is on its way.\r\n' });
    expect(made).toMatchObject({ inboxId: box.id, title: 'Refund', body: 'Hi {{customer.name}},\n\nYour refund is on its way.' });
    expect((await db.models.CannedReply.findById(made.id).lean())!.createdById).toEqual(box.manager.userId);
    await createCannedReply(db.stores, admin, box.id, { title: 'Apology', body: 'Sorry, {{ customer.name }}.' });
    expect(await titles(box.agent, box.id)).toEqual(['Apology', 'Refund']);
  });

  it('names a missing or too-long title or body, unknown fields, and placeholders Threadline cannot fill', async () => {
    const box = await inbox();
    expect(await invalidFields(createCannedReply(db.stores, admin, box.id, { title: ' ', body: '\r\n' }))).toEqual(['body', 'title']);
    expect(await invalidFields(createCannedReply(db.stores, admin, box.id, { title: 't'.repeat(101), body: 'b'.repeat(20_001), tags: [] }))).toEqual(['body', 'tags', 'title']);
    const err = await appErrorFrom(createCannedReply(db.stores, admin, box.id, { title: 'Typo', body: 'Hi {{customer.nmae}}, about {{ticket.id}} and {{customer.nmae}}' }));
    expect(err.details).toMatchObject({ issues: [{ path: 'body', message: 'uses an unknown placeholder: {{customer.nmae}}, {{ticket.id}}' }] });
    expect(await titles(admin, box.id)).toEqual([]);
  });

  it('allows at most 200 per inbox', async () => {
    const box = await inbox();
    const inboxId = new Types.ObjectId(box.id);
    await db.models.CannedReply.insertMany(Array.from({ length: 199 }, (_, i) => ({ inboxId, title: `Reply ${i}`, body: 'Text' })));
    await createCannedReply(db.stores, admin, box.id, { title: 'The 200th', body: 'Still fits.' });
    expect((await appErrorFrom(createCannedReply(db.stores, admin, box.id, { title: 'One too many', body: 'Text' }))).code).toBe('CONFLICT');
    // The limit is per inbox.
    const other = await inbox();
    expect(await createCannedReply(db.stores, admin, other.id, { title: 'Fine', body: 'Text' })).toMatchObject({ title: 'Fine' });
  });
});

describe('who may see and change an inbox’s canned replies', () => {
  it('lets everyone who works in the inbox list them, by title, and only that inbox’s', async () => {
    const box = await inbox();
    const other = await inbox();
    for (const title of ['Shipping', 'Billing', 'Address change']) await createCannedReply(db.stores, admin, box.id, { title, body: 'Text' });
    await createCannedReply(db.stores, admin, other.id, { title: 'Elsewhere', body: 'Text' });
    for (const actor of [admin, box.manager, box.agent]) expect(await titles(actor, box.id)).toEqual(['Address change', 'Billing', 'Shipping']);
    expect((await listCannedReplies(db.stores, box.agent, box.id)).inbox).toEqual({ id: box.id, name: box.name });
  });

  it('answers NOT_FOUND for an inbox the caller does not belong to, that does not exist, or a malformed id', async () => {
    const box = await inbox();
    const other = await inbox();
    const reply = await createCannedReply(db.stores, admin, box.id, { title: 'Hidden', body: 'Text' });
    for (const actor of [other.agent, other.manager]) {
      expect((await appErrorFrom(listCannedReplies(db.stores, actor, box.id))).code).toBe('NOT_FOUND');
      expect((await appErrorFrom(createCannedReply(db.stores, actor, box.id, { title: 'Sneaky', body: 'Text' }))).code).toBe('NOT_FOUND');
      expect((await appErrorFrom(updateCannedReply(db.stores, actor, box.id, reply.id, { title: 'Sneaky' }))).code).toBe('NOT_FOUND');
      expect((await appErrorFrom(deleteCannedReply(db.stores, actor, box.id, reply.id))).code).toBe('NOT_FOUND');
    }
    expect((await appErrorFrom(listCannedReplies(db.stores, admin, new Types.ObjectId().toHexString()))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(listCannedReplies(db.stores, admin, 'not-an-id'))).code).toBe('NOT_FOUND');
    expect(await titles(admin, box.id)).toEqual(['Hidden']);
  });

  it('refuses the inbox’s agents any change as FORBIDDEN, whatever they send', async () => {
    const box = await inbox();
    const reply = await createCannedReply(db.stores, admin, box.id, { title: 'Kept', body: 'Text' });
    expect((await appErrorFrom(createCannedReply(db.stores, box.agent, box.id, { title: 'Mine', body: 'Text' }))).code).toBe('FORBIDDEN');
    expect((await appErrorFrom(createCannedReply(db.stores, box.agent, box.id, {}))).code).toBe('FORBIDDEN');
    expect((await appErrorFrom(updateCannedReply(db.stores, box.agent, box.id, reply.id, { title: 'Changed' }))).code).toBe('FORBIDDEN');
    expect((await appErrorFrom(deleteCannedReply(db.stores, box.agent, box.id, reply.id))).code).toBe('FORBIDDEN');
    expect(await titles(box.agent, box.id)).toEqual(['Kept']);
  });
});

describe('changing and removing canned replies', () => {
  it('changes only the fields given, checked like new ones', async () => {
    const box = await inbox();
    const reply = await createCannedReply(db.stores, box.manager, box.id, { title: 'Greeting', body: 'Hello {{customer.name}}' });
    expect(await updateCannedReply(db.stores, box.manager, box.id, reply.id, { title: 'Welcome' })).toMatchObject({ title: 'Welcome', body: 'Hello {{customer.name}}' });
    expect(await updateCannedReply(db.stores, box.manager, box.id, reply.id, { body: 'Hi\r\nthere' })).toMatchObject({ title: 'Welcome', body: 'Hi\nthere' });
    expect(await invalidFields(updateCannedReply(db.stores, box.manager, box.id, reply.id, { title: '', body: '{{agent.email}}', inboxId: box.id }))).toEqual([
      'body',
      'inboxId',
      'title',
    ]);
    expect(await titles(admin, box.id)).toEqual(['Welcome']);
  });

  it('reaches a reply only through its own inbox', async () => {
    const box = await inbox();
    const other = await inbox();
    const reply = await createCannedReply(db.stores, admin, box.id, { title: 'Mine', body: 'Text' });
    expect((await appErrorFrom(updateCannedReply(db.stores, admin, other.id, reply.id, { title: 'Moved' }))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(deleteCannedReply(db.stores, admin, other.id, reply.id))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(updateCannedReply(db.stores, admin, box.id, 'not-an-id', { title: 'X' }))).code).toBe('NOT_FOUND');
    expect(await titles(admin, box.id)).toEqual(['Mine']);
  });

  it('removes a reply once; removing it again is NOT_FOUND', async () => {
    const box = await inbox();
    const gone = await createCannedReply(db.stores, admin, box.id, { title: 'Gone', body: 'Text' });
    await createCannedReply(db.stores, admin, box.id, { title: 'Stays', body: 'Text' });
    await deleteCannedReply(db.stores, box.manager, box.id, gone.id);
    expect(await titles(admin, box.id)).toEqual(['Stays']);
    expect((await appErrorFrom(deleteCannedReply(db.stores, box.manager, box.id, gone.id))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(updateCannedReply(db.stores, box.manager, box.id, gone.id, { title: 'Back' }))).code).toBe('NOT_FOUND');
  });
});
