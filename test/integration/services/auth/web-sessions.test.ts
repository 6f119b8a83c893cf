import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebSession, endUserWebSessions, endWebSession, resumeWebSession, type SessionLifetimes } from '../../../../src/services/auth/web-sessions.js';
import { clockNearRealTime, minutesFrom } from '../../../helpers/clock.js';
import { openTestDb } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
// Sessions expire through a TTL index too, so they start at the real time and every deadline lies ahead of it.
const start = clockNearRealTime();
const lifetimes: SessionLifetimes = { idleMs: 30 * 60_000, absoluteMs: 2 * 3600_000 };
const at = (minutes: number) => ({ ...db.stores, now: () => minutesFrom(start, minutes), lifetimes });
let n = 0;

beforeAll(async () => {
  db = await openTestDb('web_sessions');
});
afterAll(() => db.drop());

async function user(extra: { role?: 'admin' | 'agent'; inboxIds?: Types.ObjectId[] } = {}) {
  n += 1;
  return db.stores.users.create({ email: `user${n}@sessions.test`, name: `User ${n}`, role: extra.role ?? 'agent', inboxIds: extra.inboxIds ?? [], passwordHash: 'x' });
}
const stored = () => db.models.WebSession.find().lean();

describe('createWebSession and resumeWebSession', () => {
  it('start a session whose cookie token resumes it as its user, and store only the token’s hash', async () => {
    const inboxId = new Types.ObjectId();
    const u = await user({ inboxIds: [inboxId] });
    const token = await createWebSession(at(0), u._id, 'Firefox');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const session = await resumeWebSession(at(0), token);
    expect(session).toMatchObject({
      actor: { userId: u._id, role: 'agent', inboxIds: [inboxId] },
      user: { id: u._id.toHexString(), email: u.email, name: u.name, role: 'agent' },
    });
    expect(session!.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const doc = (await db.models.WebSession.findById(session!.id).lean())!;
    expect(doc).toMatchObject({ userId: u._id, userAgent: 'Firefox', createdAt: start, absoluteExpiresAt: minutesFrom(start, 120), expiresAt: minutesFrom(start, 30) });
    expect(JSON.stringify(await stored())).not.toContain(token);
  });

  it('hand out a fresh token and CSRF token for every session, even for the same user', async () => {
    const u = await user();
    const [a, b] = [await createWebSession(at(0), u._id, null), await createWebSession(at(0), u._id, null)];
    expect(a).not.toBe(b);
    expect((await resumeWebSession(at(0), a))!.csrfToken).not.toBe((await resumeWebSession(at(0), b))!.csrfToken);
  });

  it('keep at most 300 characters of the user agent', async () => {
    const u = await user();
    const token = await createWebSession(at(0), u._id, 'x'.repeat(1000));
    const { id } = (await resumeWebSession(at(0), token))!;
    expect((await db.models.WebSession.findById(id).lean())!.userAgent).toHaveLength(300);
  });

  it('resume nothing for a missing, malformed or unknown token', async () => {
    expect(await resumeWebSession(at(0), undefined)).toBeNull();
    expect(await resumeWebSession(at(0), '')).toBeNull();
    expect(await resumeWebSession(at(0), 'not a token')).toBeNull();
    expect(await resumeWebSession(at(0), 'A'.repeat(43))).toBeNull();
  });
});

describe('session lifetimes', () => {
  it('an idle session ends after the idle time, and is deleted when seen', async () => {
    const u = await user();
    const token = await createWebSession(at(0), u._id, null);
    expect(await resumeWebSession(at(29), token)).not.toBeNull();
    const fresh = await createWebSession(at(0), u._id, null);
    const { id } = (await resumeWebSession(at(0), fresh))!;
    expect(await resumeWebSession(at(30), fresh)).toBeNull();
    expect(await db.models.WebSession.findById(id).lean()).toBeNull();
  });

  it('using a session moves its idle deadline, writing it at most once a minute', async () => {
    const u = await user();
    const token = await createWebSession(at(0), u._id, null);
    const { id } = (await resumeWebSession(at(20), token))!;
    expect((await db.models.WebSession.findById(id).lean())!).toMatchObject({ lastSeenAt: minutesFrom(start, 20), expiresAt: minutesFrom(start, 50) });
    // Within the minute nothing is written.
    await resumeWebSession({ ...at(20), now: () => new Date(minutesFrom(start, 20).getTime() + 30_000) }, token);
    expect((await db.models.WebSession.findById(id).lean())!.lastSeenAt).toEqual(minutesFrom(start, 20));
    expect(await resumeWebSession(at(45), token)).not.toBeNull();
    expect(await resumeWebSession(at(74), token)).not.toBeNull();
    expect(await resumeWebSession(at(105), token)).toBeNull();
  });

  it('a session in use still ends at its absolute lifetime', async () => {
    const u = await user();
    const token = await createWebSession(at(0), u._id, null);
    for (const minute of [25, 50, 75, 100, 119]) expect(await resumeWebSession(at(minute), token)).not.toBeNull();
    const { id } = (await resumeWebSession(at(119), token))!;
    // Its idle deadline never lies past the absolute one.
    expect((await db.models.WebSession.findById(id).lean())!.expiresAt).toEqual(minutesFrom(start, 120));
    expect(await resumeWebSession(at(120), token)).toBeNull();
  });

  it('uses 8 hours idle and 7 days at most unless configured otherwise', async () => {
    const u = await user();
    const defaults = { ...db.stores, now: () => start };
    const token = await createWebSession(defaults, u._id, null);
    const { id } = (await resumeWebSession(defaults, token))!;
    expect((await db.models.WebSession.findById(id).lean())!).toMatchObject({ expiresAt: minutesFrom(start, 8 * 60), absoluteExpiresAt: minutesFrom(start, 7 * 24 * 60) });
  });
});

describe('ending sessions', () => {
  it('a disabled user’s session resumes nothing and is deleted, and enabling them again does not bring it back', async () => {
    const u = await user();
    const token = await createWebSession(at(0), u._id, null);
    const { id } = (await resumeWebSession(at(0), token))!;
    await db.stores.users.updateAccount(u._id, { disabled: true });
    expect(await resumeWebSession(at(1), token)).toBeNull();
    expect(await db.models.WebSession.findById(id).lean()).toBeNull();
    await db.stores.users.updateAccount(u._id, { disabled: false });
    expect(await resumeWebSession(at(2), token)).toBeNull();
  });

  it('a deleted user’s session resumes nothing', async () => {
    const u = await user();
    const token = await createWebSession(at(0), u._id, null);
    await db.models.User.deleteOne({ _id: u._id });
    expect(await resumeWebSession(at(1), token)).toBeNull();
  });

  it('logging out ends that session only; an unknown or missing token is ignored', async () => {
    const u = await user();
    const mine = await createWebSession(at(0), u._id, null);
    const other = await createWebSession(at(0), u._id, null);
    await endWebSession(db.stores, mine);
    await endWebSession(db.stores, 'A'.repeat(43));
    await endWebSession(db.stores, undefined);
    expect(await resumeWebSession(at(1), mine)).toBeNull();
    expect(await resumeWebSession(at(1), other)).not.toBeNull();
  });

  it('ending a user’s sessions ends all of them, or all but one, and no one else’s', async () => {
    const u = await user();
    const bystander = await user();
    const tokens = [await createWebSession(at(0), u._id, null), await createWebSession(at(0), u._id, null), await createWebSession(at(0), u._id, null)];
    const theirs = await createWebSession(at(0), bystander._id, null);
    const keep = (await resumeWebSession(at(0), tokens[0]))!.id;
    expect(await endUserWebSessions(db.stores, u._id, keep)).toBe(2);
    expect(await resumeWebSession(at(1), tokens[0])).not.toBeNull();
    expect(await resumeWebSession(at(1), tokens[1])).toBeNull();
    expect(await endUserWebSessions(db.stores, u._id)).toBe(1);
    expect(await resumeWebSession(at(1), tokens[0])).toBeNull();
    expect(await resumeWebSession(at(1), theirs)).not.toBeNull();
  });
});
