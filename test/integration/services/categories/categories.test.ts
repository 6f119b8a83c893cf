import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { archiveCategory, createCategory, listCategories, updateCategory } from '../../../../src/services/categories/categories.js';
import { appErrorFrom, invalidFields } from '../../../helpers/app-error.js';
import { openTestDb } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
let n = 0;

beforeAll(async () => {
  db = await openTestDb('categories');
});
afterAll(() => db.drop());

async function inbox() {
  n += 1;
  const doc = await db.models.Inbox.create({ name: `Inbox ${n}`, address: `inbox${n}@categories.test`, imap: { host: 'imap.test', port: 993 }, smtp: { host: 'smtp.test', port: 465 } });
  return { id: doc._id.toHexString(), agent: { userId: new Types.ObjectId(), role: 'agent', inboxIds: [doc._id] } as Actor, manager: { userId: new Types.ObjectId(), role: 'manager', inboxIds: [doc._id] } as Actor };
}
const names = async (actor: Actor) => (await listCategories(db.stores, actor)).map((c) => c.name);

describe('categories', () => {
  it('an agent sees the global categories and those of their inboxes, never another inbox’s', async () => {
    const a = await inbox();
    const b = await inbox();
    await createCategory(db.stores, admin, { name: '  Facturation  ' });
    await createCategory(db.stores, admin, { name: 'Accès / mot de passe', inboxId: a.id });
    await createCategory(db.stores, admin, { name: 'Incident B', inboxId: b.id });
    expect(await names(a.agent)).toEqual(expect.arrayContaining(['Facturation', 'Accès / mot de passe']));
    expect(await names(a.agent)).not.toContain('Incident B');
    expect(await names(b.agent)).toEqual(expect.arrayContaining(['Facturation', 'Incident B']));
    expect(await names(b.agent)).not.toContain('Accès / mot de passe');
    expect(await names(admin)).toEqual(expect.arrayContaining(['Facturation', 'Accès / mot de passe', 'Incident B']));
  });

  it('only admins create and change them (FORBIDDEN for managers and agents)', async () => {
    const a = await inbox();
    expect((await appErrorFrom(createCategory(db.stores, a.agent, { name: 'Mine' }))).code).toBe('FORBIDDEN');
    expect((await appErrorFrom(createCategory(db.stores, a.manager, { name: 'Mine', inboxId: a.id }))).code).toBe('FORBIDDEN');
    const made = await createCategory(db.stores, admin, { name: 'Réseau', inboxId: a.id });
    expect((await appErrorFrom(updateCategory(db.stores, a.manager, made.id, { name: 'Other' }))).code).toBe('FORBIDDEN');
    expect((await appErrorFrom(archiveCategory(db.stores, a.agent, made.id))).code).toBe('FORBIDDEN');
  });

  it('names are trimmed, at most 80 characters, unique per scope; the inbox must exist', async () => {
    const a = await inbox();
    const b = await inbox();
    expect(await invalidFields(createCategory(db.stores, admin, { name: ' ' }))).toEqual(['name']);
    expect(await invalidFields(createCategory(db.stores, admin, { name: 'x'.repeat(81) }))).toEqual(['name']);
    expect(await invalidFields(createCategory(db.stores, admin, { name: 'Ok', inboxId: 'nope' }))).toEqual(['inboxId']);
    expect(await invalidFields(createCategory(db.stores, admin, { name: 'Ok', inboxId: new Types.ObjectId().toHexString() }))).toEqual(['inboxId']);
    const made = await createCategory(db.stores, admin, { name: 'Matériel', inboxId: a.id });
    expect(made).toMatchObject({ name: 'Matériel', inboxId: a.id, archived: false });
    expect((await appErrorFrom(createCategory(db.stores, admin, { name: ' Matériel ', inboxId: a.id }))).code).toBe('CONFLICT');
    await createCategory(db.stores, admin, { name: 'Matériel', inboxId: b.id });
    const other = await createCategory(db.stores, admin, { name: 'Logiciel', inboxId: a.id });
    expect((await appErrorFrom(updateCategory(db.stores, admin, other.id, { name: 'Matériel' }))).code).toBe('CONFLICT');
    expect((await appErrorFrom(updateCategory(db.stores, admin, new Types.ObjectId().toHexString(), { name: 'X' }))).code).toBe('NOT_FOUND');
  });

  it('archiving keeps a category listed, marked archived, and restoring brings it back', async () => {
    const made = await createCategory(db.stores, admin, { name: 'Ancienne' });
    expect(await archiveCategory(db.stores, admin, made.id)).toMatchObject({ archived: true });
    expect((await listCategories(db.stores, admin)).find((c) => c.id === made.id)).toMatchObject({ archived: true });
    expect(await updateCategory(db.stores, admin, made.id, { archived: false, name: 'Restaurée' })).toMatchObject({ archived: false, name: 'Restaurée' });
  });
});
