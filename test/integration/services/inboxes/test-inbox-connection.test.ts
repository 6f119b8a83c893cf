import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import type { UserRole } from '../../../../src/domain/user-roles.js';
import { createInbox } from '../../../../src/services/inboxes/create-inbox.js';
import {
  testInboxConnection,
  testNewInboxConnection,
  type AccountCheck,
  type ImapTarget,
  type SmtpTarget,
  type TestConnectionDeps,
} from '../../../../src/services/inboxes/test-inbox-connection.js';
import { createSecretBox } from '../../../../src/store/secret-box.js';
import { appErrorFrom, invalidFields } from '../../../helpers/app-error.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { TEST_SECRET_KEY, newInboxInput } from '../../../helpers/inbox.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const secrets = createSecretBox(TEST_SECRET_KEY);
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const as = (role: UserRole, ...inboxIds: Types.ObjectId[]): Actor => ({ userId: new Types.ObjectId(), role, inboxIds });
let inboxId: Types.ObjectId;
let id: string;

beforeAll(async () => {
  db = await openTestDb('inbox_connection');
  id = (await createInbox({ ...db.stores, secrets, logger: testLogger }, admin, newInboxInput('support@connect.test'))).id;
  inboxId = new Types.ObjectId(id);
});
afterAll(() => db.drop());

/** Connection checks that contact nothing: they note where each password would have gone and answer `reply`. */
function recordingChecks(reply: (target: ImapTarget | SmtpTarget) => Partial<AccountCheck> = () => ({})) {
  const contacted: Array<{ account: 'imap' | 'smtp'; host: string; port: number; user: string | null; password: string | null }> = [];
  const answer = (account: 'imap' | 'smtp', target: ImapTarget | SmtpTarget): AccountCheck => {
    contacted.push({ account, host: target.host, port: target.port, user: target.user, password: target.password });
    return { ok: true, code: 'OK', message: 'logged in', ms: 1, ...reply(target) };
  };
  const deps = (box = secrets): TestConnectionDeps => ({
    ...db.stores,
    secrets: box,
    logger: testLogger,
    checks: { imap: async (t) => answer('imap', t), smtp: async (t) => answer('smtp', t) },
  });
  return { contacted, deps };
}

describe('testInboxConnection', () => {
  it('checks both stored accounts with their stored passwords', async () => {
    const { contacted, deps } = recordingChecks();
    const result = await testInboxConnection(deps(), admin, id);
    expect(result).toMatchObject({ imap: { ok: true, code: 'OK' }, smtp: { ok: true, code: 'OK' } });
    expect(contacted.sort((a, b) => a.account.localeCompare(b.account))).toEqual([
      { account: 'imap', host: 'imap.example.test', port: 993, user: 'support@connect.test', password: 'imap secret' },
      { account: 'smtp', host: 'smtp.example.test', port: 465, user: 'support@connect.test', password: 'smtp secret' },
    ]);
  });

  it('is for admins and the inbox’s managers: its agents are FORBIDDEN, everyone else gets NOT_FOUND', async () => {
    const { contacted, deps } = recordingChecks();
    expect((await testInboxConnection(deps(), as('manager', inboxId), id)).imap.ok).toBe(true);
    expect((await appErrorFrom(testInboxConnection(deps(), as('agent', inboxId), id))).code).toBe('FORBIDDEN');
    expect((await appErrorFrom(testInboxConnection(deps(), as('manager'), id))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(testInboxConnection(deps(), admin, new Types.ObjectId().toHexString()))).code).toBe('NOT_FOUND');
    expect(contacted).toHaveLength(2);
  });

  it('lets only admins try unsaved values', async () => {
    const { contacted, deps } = recordingChecks();
    expect((await appErrorFrom(testInboxConnection(deps(), as('manager', inboxId), id, { imap: { folder: 'Archive' } }))).code).toBe('FORBIDDEN');
    expect(contacted).toEqual([]);
  });

  it('never sends a stored password to another host, port, TLS mode or user, and contacts nothing then', async () => {
    const { contacted, deps } = recordingChecks();
    for (const changes of [{ imap: { host: 'evil.test' } }, { imap: { user: 'other', password: '' } }, { smtp: { port: 25 } }, { smtp: { secure: false } }]) {
      const [field] = Object.keys(changes);
      expect(await invalidFields(testInboxConnection(deps(), admin, id, changes))).toEqual([`${field}.password`]);
    }
    expect(contacted).toEqual([]);
  });

  it('tries unsaved values with the password typed, or the stored one where the account stays put', async () => {
    const { contacted, deps } = recordingChecks();
    await testInboxConnection(deps(), admin, id, { imap: { host: 'new.example.test', password: 'typed secret' }, smtp: { user: null } });
    expect(contacted).toEqual(
      expect.arrayContaining([
        { account: 'imap', host: 'new.example.test', port: 993, user: 'support@connect.test', password: 'typed secret' },
        // Without a user the SMTP account does not log in: the adapters send credentials only with a user.
        expect.objectContaining({ account: 'smtp', host: 'smtp.example.test', user: null }),
      ]),
    );
    expect(await db.stores.inboxes.findById(inboxId)).toMatchObject({ imap: { host: 'imap.example.test' } });
  });

  it('keeps a password a server echoed back out of the result', async () => {
    const { deps } = recordingChecks((t) => ({ ok: false, code: 'IMAP_AUTH_FAILED', message: `NO password ${t.password} is wrong` }));
    const result = await testInboxConnection(deps(), admin, id);
    expect(result.imap.message).toBe('NO password *** is wrong');
    expect(JSON.stringify(result)).not.toMatch(/imap secret|smtp secret/);
  });

  it('reports a stored password that cannot be opened (SECRET_KEY changed) instead of sending anything', async () => {
    const { contacted, deps } = recordingChecks();
    const result = await testInboxConnection(deps(createSecretBox('another-secret-key-of-at-least-32-chars!')), admin, id);
    expect(result).toMatchObject({ imap: { ok: false, code: 'SECRET_INVALID' }, smtp: { ok: false, code: 'SECRET_INVALID' } });
    expect(contacted).toEqual([]);
  });
});

describe('testNewInboxConnection', () => {
  it('checks the accounts of an inbox not created yet with the passwords given (admins only)', async () => {
    const { contacted, deps } = recordingChecks();
    const { imap, smtp } = newInboxInput('new@connect.test');
    expect(await testNewInboxConnection(deps(), admin, { imap, smtp })).toMatchObject({ imap: { ok: true }, smtp: { ok: true } });
    expect(contacted.map((c) => c.password).sort()).toEqual(['imap secret', 'smtp secret']);
    expect((await appErrorFrom(testNewInboxConnection(deps(), as('manager', inboxId), { imap, smtp }))).code).toBe('FORBIDDEN');
    expect(await invalidFields(testNewInboxConnection(deps(), admin, { imap: { ...imap, password: '' }, smtp }))).toEqual(['imap.password']);
    expect(contacted).toHaveLength(2);
  });
});
