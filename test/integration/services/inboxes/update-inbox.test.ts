import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { createInbox, type InboxDeps } from '../../../../src/services/inboxes/create-inbox.js';
import { inboxPasswordContext } from '../../../../src/services/inboxes/inbox-secrets.js';
import { updateInbox } from '../../../../src/services/inboxes/update-inbox.js';
import { createSecretBox } from '../../../../src/store/secret-box.js';
import { appErrorFrom, invalidFields } from '../../../helpers/app-error.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { TEST_SECRET_KEY, newInboxInput } from '../../../helpers/inbox.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const secrets = createSecretBox(TEST_SECRET_KEY);
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const validateTemplate = (source: string) => (source.includes('{{#broken') ? 'has an unclosed block' : null);
const deps = (): InboxDeps => ({ ...db.stores, secrets, logger: testLogger, validateTemplate });
let n = 0;

beforeAll(async () => {
  db = await openTestDb('update_inbox');
});
afterAll(() => db.drop());

/** A new inbox of its own, as an admin creates it; returns its id and how to read it back. */
async function inbox() {
  n += 1;
  const view = await createInbox(deps(), admin, newInboxInput(`box${n}@update.test`));
  const id = new Types.ObjectId(view.id);
  return { id: view.id, address: view.address, stored: async () => (await db.stores.inboxes.findById(id))! };
}
const opened = (doc: Awaited<ReturnType<Awaited<ReturnType<typeof inbox>>['stored']>>, account: 'imap' | 'smtp') =>
  doc[account].passwordSealed ? secrets.open(doc[account].passwordSealed, inboxPasswordContext(doc._id, account)) : null;

describe('updateInbox', () => {
  it('changes only the fields given and keeps both passwords untouched', async () => {
    const { id, stored } = await inbox();
    const before = await stored();
    const view = await updateInbox(deps(), admin, id, { name: 'Renamed', options: { markSeen: true }, branding: { signature: 'Bye' }, imap: { folder: 'Support' } });
    expect(view).toMatchObject({ name: 'Renamed', options: { markSeen: true, moveTo: null }, branding: { signature: 'Bye' }, imap: { folder: 'Support', host: 'imap.example.test', hasPassword: true } });
    const after = await stored();
    expect(after.imap.passwordSealed).toBe(before.imap.passwordSealed);
    expect(after.smtp.passwordSealed).toBe(before.smtp.passwordSealed);
    expect(after).toMatchObject({ address: before.address, smtp: { host: before.smtp.host, user: before.smtp.user }, autoReply: { enabled: true } });
  });

  it('replaces a password only when a new one is given, sealed again for this inbox', async () => {
    const { id, stored } = await inbox();
    await updateInbox(deps(), admin, id, { imap: { password: 'new imap secret' } });
    expect(opened(await stored(), 'imap')).toBe('new imap secret');
    expect(opened(await stored(), 'smtp')).toBe('smtp secret');
  });

  it('removes the SMTP password when it is set to null', async () => {
    const { id, stored } = await inbox();
    expect((await updateInbox(deps(), admin, id, { smtp: { password: null } })).smtp.hasPassword).toBe(false);
    expect((await stored()).smtp.passwordSealed).toBeNull();
  });

  it('never sends a stored password elsewhere: another host, port, TLS mode or user needs the password typed again', async () => {
    const { id, stored } = await inbox();
    const before = await stored();
    for (const imap of [{ host: 'evil.test' }, { port: 143 }, { secure: false }, { user: 'someone-else' }]) {
      expect(await invalidFields(updateInbox(deps(), admin, id, { imap }))).toEqual(['imap.password']);
    }
    for (const smtp of [{ host: 'evil.test' }, { port: 587 }, { secure: false }, { user: 'someone-else' }, { host: 'evil.test', password: '' }]) {
      expect(await invalidFields(updateInbox(deps(), admin, id, { smtp }))).toEqual(['smtp.password']);
    }
    expect(await stored()).toMatchObject({ imap: before.imap, smtp: before.smtp });

    // Host names compare without case; with the password typed again the account may move.
    await updateInbox(deps(), admin, id, { imap: { host: 'IMAP.Example.TEST' } });
    await updateInbox(deps(), admin, id, { smtp: { host: 'smtp2.example.test', password: 'smtp secret 2' } });
    expect((await stored()).smtp.host).toBe('smtp2.example.test');
    expect(opened(await stored(), 'smtp')).toBe('smtp secret 2');
  });

  it('lets an SMTP account drop its user without the password typed again, as it then logs in with none', async () => {
    const { id } = await inbox();
    expect((await updateInbox(deps(), admin, id, { smtp: { user: null } })).smtp).toMatchObject({ user: null });
  });

  it('refuses, as CONFLICT, a change read before another change moved the account, and writes nothing', async () => {
    const { id, stored } = await inbox();
    // Another admin moves the IMAP account (typing its password) between this change's read and write.
    const racing: InboxDeps = {
      ...deps(),
      inboxes: {
        ...db.stores.inboxes,
        async findById(inboxId) {
          const read = await db.stores.inboxes.findById(inboxId);
          await updateInbox(deps(), admin, id, { imap: { host: 'moved.example.test', password: 'moved secret' } });
          return read;
        },
      },
    };
    const err = await appErrorFrom(updateInbox(racing, admin, id, { name: 'Late', imap: { user: 'box@update.test', password: 'late secret' } }));
    expect(err.code).toBe('CONFLICT');
    expect(await stored()).toMatchObject({ name: `box${n}`, imap: { host: 'moved.example.test' } });
    expect(opened(await stored(), 'imap')).toBe('moved secret');
  });

  it('stores a new address lower-cased and refuses one another inbox has, in any case, as CONFLICT', async () => {
    const first = await inbox();
    const second = await inbox();
    expect((await updateInbox(deps(), admin, second.id, { address: 'Fresh@Update.TEST' })).address).toBe('fresh@update.test');
    const err = await appErrorFrom(updateInbox(deps(), admin, second.id, { address: first.address.toUpperCase() }));
    expect(err.code).toBe('CONFLICT');
    expect((await second.stored()).address).toBe('fresh@update.test');
  });

  it('names invalid and unknown fields, and refuses an auto-reply override that would not render', async () => {
    const { id } = await inbox();
    expect(await invalidFields(updateInbox(deps(), admin, id, { name: '', address: 'x', imap: { port: 0 }, smtp: { pasword: 'typo' }, sla: {} }))).toEqual([
      'address',
      'imap.port',
      'name',
      'sla',
      'smtp.pasword',
    ]);
    expect(await invalidFields(updateInbox(deps(), admin, id, { autoReply: { template: 'Hi {{#broken' } }))).toEqual(['autoReply.template']);
  });

  it('changes nothing for an empty change', async () => {
    const { id, stored } = await inbox();
    const before = await stored();
    expect(await updateInbox(deps(), admin, id, {})).toMatchObject({ id, name: before.name });
    expect((await stored()).updatedAt).toEqual(before.updatedAt);
  });

  it('answers NOT_FOUND for an unknown or malformed id, and FORBIDDEN to anyone but an admin', async () => {
    const { id } = await inbox();
    expect((await appErrorFrom(updateInbox(deps(), admin, new Types.ObjectId().toHexString(), { name: 'X' }))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(updateInbox(deps(), admin, 'nope', { name: 'X' }))).code).toBe('NOT_FOUND');
    const manager: Actor = { userId: new Types.ObjectId(), role: 'manager', inboxIds: [new Types.ObjectId(id)] };
    expect((await appErrorFrom(updateInbox(deps(), manager, id, { name: 'Mine now' }))).code).toBe('FORBIDDEN');
  });
});
