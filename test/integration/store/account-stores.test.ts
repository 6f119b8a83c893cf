import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { openTestDb } from '../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;

beforeAll(async () => {
  db = await openTestDb('account_stores');
});
afterAll(() => db.drop());

const at = (minutes: number) => new Date(Date.UTC(2030, 0, 1, 12, minutes));

describe('login attempt counters', () => {
  it('take at most the limit, start over after the window, and give slots back', async () => {
    const { loginAttempts } = db.stores;
    const key = 'someone@example.test|10.0.0.1';
    const window = at(15);
    const taken = await Promise.all(Array.from({ length: 5 }, () => loginAttempts.takeSlot(key, 3, at(0), window)));
    expect(taken.filter(Boolean)).toHaveLength(3);
    expect(await loginAttempts.takeSlot(key, 3, at(1), window)).toBe(false);
    await loginAttempts.giveBack(key);
    expect(await loginAttempts.takeSlot(key, 3, at(2), window)).toBe(true);
    // Past the window the counter starts over at one, with a new window.
    expect(await loginAttempts.takeSlot(key, 3, at(16), at(31))).toBe(true);
    expect(await db.models.LoginAttempt.findById(key).lean()).toMatchObject({ count: 1, expiresAt: at(31) });
    await loginAttempts.forget(key);
    expect(await db.models.LoginAttempt.findById(key).lean()).toBeNull();
  });
});

describe('web session reveals', () => {
  it('are taken once, for their scope only, and never come with the session', async () => {
    const { webSessions } = db.stores;
    const now = at(0);
    await webSessions.create({ _id: 'session-a', userId: new Types.ObjectId(), csrfToken: 'x', createdAt: now, lastSeenAt: now, absoluteExpiresAt: at(60), expiresAt: at(30), userAgent: null });
    await webSessions.stashReveal('session-a', { scope: 'api-token', sealed: 'sealed', expiresAt: at(5) });
    expect(await webSessions.findById('session-a')).not.toHaveProperty('reveal');
    expect(await webSessions.takeReveal('session-a', 'link:1')).toBeNull();
    expect(await webSessions.takeReveal('session-a', 'api-token')).toMatchObject({ scope: 'api-token', sealed: 'sealed' });
    expect(await webSessions.takeReveal('session-a', 'api-token')).toBeNull();
  });
});

describe('users', () => {
  it('send SLA reminders to the active assignee, or else to the active members of the inbox', async () => {
    const { users } = db.stores;
    const inboxId = new Types.ObjectId();
    const make = (email: string, extra: { disabled?: boolean; inboxIds?: Types.ObjectId[]; role?: 'admin' | 'agent' } = {}) =>
      users.create({ email, role: extra.role ?? 'agent', passwordHash: 'x', inboxIds: extra.inboxIds ?? [inboxId] });
    const member = await make('member@reminders.test');
    const gone = await make('gone@reminders.test');
    await users.updateAccount(gone._id, { disabled: true });
    const admin = await make('admin@reminders.test', { role: 'admin', inboxIds: [] });
    const emails = (list: Array<{ email: string }>) => list.map((u) => u.email).sort();

    expect(emails(await users.listReminderTargets({ assigneeId: null, inboxId }))).toEqual(['member@reminders.test']);
    expect(emails(await users.listReminderTargets({ assigneeId: gone._id, inboxId }))).toEqual([]);
    expect(emails(await users.listReminderTargets({ assigneeId: admin._id, inboxId }))).toEqual(['admin@reminders.test']);
    expect(emails(await users.listEscalationTargets([member._id, gone._id, admin._id].map(String), inboxId))).toEqual(['admin@reminders.test', 'member@reminders.test']);
  });

  it('keep the password hash out of every read that does not ask for it', async () => {
    const { users } = db.stores;
    const user = await users.create({ email: 'hash@users.test', role: 'agent', passwordHash: 'the-hash' });
    expect(await users.findById(user._id)).not.toHaveProperty('passwordHash');
    expect((await users.listByEmail()).every((u) => !('passwordHash' in u))).toBe(true);
    expect((await users.findByEmailWithPasswordHash('hash@users.test'))?.passwordHash).toBe('the-hash');
  });
});
