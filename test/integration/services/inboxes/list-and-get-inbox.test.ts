import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import type { UserRole } from '../../../../src/domain/user-roles.js';
import { createInbox } from '../../../../src/services/inboxes/create-inbox.js';
import { getInbox } from '../../../../src/services/inboxes/get-inbox.js';
import { isInboxManager, requireInboxManager } from '../../../../src/services/inboxes/inbox-manager-access.js';
import { listInboxes } from '../../../../src/services/inboxes/list-inboxes.js';
import { createSecretBox } from '../../../../src/store/secret-box.js';
import { appErrorFrom } from '../../../helpers/app-error.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { TEST_SECRET_KEY, newInboxInput } from '../../../helpers/inbox.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const as = (role: UserRole, ...inboxIds: Types.ObjectId[]): Actor => ({ userId: new Types.ObjectId(), role, inboxIds });
let support: Types.ObjectId;
let sales: Types.ObjectId;
let billing: Types.ObjectId;

beforeAll(async () => {
  db = await openTestDb('list_inboxes');
  const deps = { ...db.stores, secrets: createSecretBox(TEST_SECRET_KEY), logger: testLogger };
  const make = async (name: string) => new Types.ObjectId((await createInbox(deps, admin, newInboxInput(`${name.toLowerCase()}@read.test`, { name }))).id);
  // Created out of name order, so the order of the list is the rule's, not the insertion's.
  support = await make('Support');
  billing = await make('Billing');
  sales = await make('Sales');
});
afterAll(() => db.drop());

const names = async (actor: Actor) => (await listInboxes(db.stores, actor)).map((i) => i.name);

describe('listInboxes', () => {
  it('shows an admin every inbox, by name', async () => {
    expect(await names(admin)).toEqual(['Billing', 'Sales', 'Support']);
  });

  it('shows managers and agents only the inboxes they belong to', async () => {
    expect(await names(as('agent', support))).toEqual(['Support']);
    expect(await names(as('manager', sales, billing))).toEqual(['Billing', 'Sales']);
    expect(await names(as('agent'))).toEqual([]);
    expect(await names(as('agent', new Types.ObjectId()))).toEqual([]);
  });
});

describe('getInbox', () => {
  it('shows an inbox to its members and to admins', async () => {
    expect((await getInbox(db.stores, as('agent', support), support.toHexString())).name).toBe('Support');
    expect((await getInbox(db.stores, admin, sales.toHexString())).name).toBe('Sales');
  });

  it('answers NOT_FOUND alike for an inbox that is not the caller’s, one that does not exist, and a malformed id', async () => {
    const agent = as('agent', support);
    for (const id of [sales.toHexString(), new Types.ObjectId().toHexString(), 'not-an-id']) {
      expect((await appErrorFrom(getInbox(db.stores, agent, id))).code).toBe('NOT_FOUND');
    }
    expect((await appErrorFrom(getInbox(db.stores, admin, new Types.ObjectId().toHexString()))).code).toBe('NOT_FOUND');
  });
});

describe('inbox views', () => {
  it('never carry a password, only whether one is stored', async () => {
    for (const actor of [admin, as('manager', support), as('agent', support)]) {
      const shown = JSON.stringify([await listInboxes(db.stores, actor), await getInbox(db.stores, actor, support.toHexString())]);
      expect(shown).not.toMatch(/imap secret|smtp secret|passwordSealed|v1:/);
      expect((await getInbox(db.stores, actor, support.toHexString())).imap.hasPassword).toBe(true);
    }
  });

  it('show the accounts’ hosts and user names to admins only', async () => {
    expect((await getInbox(db.stores, admin, support.toHexString())).imap).toMatchObject({ host: 'imap.example.test', user: 'support@read.test' });
    for (const actor of [as('manager', support), as('agent', support)]) {
      const [listed] = await listInboxes(db.stores, actor);
      const got = await getInbox(db.stores, actor, support.toHexString());
      for (const view of [listed!, got]) {
        expect(Object.keys(view.imap).sort()).toEqual(['folder', 'hasPassword', 'port', 'secure']);
        expect(Object.keys(view.smtp).sort()).toEqual(['hasPassword', 'port', 'secure']);
      }
    }
  });

  it('report the poller’s status: unknown before its first report, and its error text to admins only', async () => {
    expect((await getInbox(db.stores, admin, billing.toHexString())).status).toEqual({ state: 'unknown' });
    const at = new Date();
    const lastError = { code: 'IMAP_AUTH_FAILED', message: 'imap.example.test: LOGIN billing@read.test rejected: "NO go away"', at };
    await db.stores.inboxes.reportStatus(billing, { state: 'error', lastSyncAt: at, behind: 3, lastError });

    expect((await getInbox(db.stores, admin, billing.toHexString())).status).toMatchObject({ state: 'error', behind: 3, lastSyncAt: at, lastError });
    const member = as('agent', billing);
    for (const view of [await getInbox(db.stores, member, billing.toHexString()), (await listInboxes(db.stores, member))[0]!]) {
      expect(view.status).toMatchObject({ state: 'error', behind: 3, lastError: { code: 'IMAP_AUTH_FAILED', at } });
      expect(JSON.stringify(view.status)).not.toMatch(/imap\.example\.test|billing@read\.test|go away/);
    }
  });
});

describe('inbox manager access', () => {
  it('lets admins manage every inbox and managers the inboxes they belong to; agents none', () => {
    expect(isInboxManager(admin, support)).toBe(true);
    expect(isInboxManager(as('manager', support), support)).toBe(true);
    expect(isInboxManager(as('manager', support), sales)).toBe(false);
    expect(isInboxManager(as('agent', support), support)).toBe(false);
    expect(isInboxManager(as('manager', support), null)).toBe(false);
  });

  it('refuses everyone else as FORBIDDEN, with the message given', () => {
    expect(() => requireInboxManager(as('manager', support), support)).not.toThrow();
    expect(() => requireInboxManager(as('agent', support), support, 'Only managers may')).toThrow(expect.objectContaining({ code: 'FORBIDDEN', message: 'Only managers may' }));
    expect(() => requireInboxManager(as('manager', sales), support)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });
});
