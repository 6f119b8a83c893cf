import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR, type Actor } from '../../../../src/services/access.js';
import { hashApiToken } from '../../../../src/services/auth/api-token-codec.js';
import { authenticateApiToken } from '../../../../src/services/auth/authenticate-api-token.js';
import { createPersonalApiToken } from '../../../../src/services/auth/create-personal-api-token.js';
import { INVALID_CREDENTIALS, issueApiToken } from '../../../../src/services/auth/issue-api-token.js';
import { listPersonalApiTokens } from '../../../../src/services/auth/list-personal-api-tokens.js';
import { revokeApiToken } from '../../../../src/services/auth/revoke-api-token.js';
import { revokePersonalApiToken } from '../../../../src/services/auth/revoke-personal-api-token.js';
import { TEST_PASSWORDS, createUser } from '../../../helpers/api.js';
import { appErrorFrom, invalidFields } from '../../../helpers/app-error.js';
import { clockNearRealTime, minutesFrom } from '../../../helpers/clock.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
// The login throttle's counters expire through a TTL index, so the clock stays near the real one.
const start = clockNearRealTime();
const DAY = 24 * 60;
const deps = (now = start, extra: { tokenTtlDays?: number } = {}) => ({ ...db.stores, passwords: TEST_PASSWORDS, logger: testLogger, now: () => now, ...extra });
let n = 0;

beforeAll(async () => {
  db = await openTestDb('api_tokens');
});
afterAll(() => db.drop());

async function account(role: 'admin' | 'agent' = 'agent') {
  n += 1;
  const email = `user${n}@tokens.test`;
  const user = await createUser(db.models, { email, password: 'the right password', role, inboxIds: [new Types.ObjectId()] });
  const actor: Actor = { userId: user._id, role, inboxIds: user.inboxIds };
  const signIn = (extra: Record<string, unknown> = {}, ip = `10.1.0.${n}`) => issueApiToken(deps(), { email, password: 'the right password', ...extra }, ip);
  return { user, email, actor, signIn };
}
const authenticate = (token: string | undefined, now = start) => authenticateApiToken(deps(now), token);

describe('issueApiToken', () => {
  it('exchanges the right email and password for a tl_ token that lasts 90 days; only its SHA-256 is stored, with its label', async () => {
    const { user, signIn } = await account();
    const { token, expiresAt } = await signIn({ label: ' laptop ' });
    expect(token).toMatch(/^tl_[A-Za-z0-9_-]{43}$/);
    expect(expiresAt).toEqual(minutesFrom(start, 90 * DAY));
    const stored = await db.models.ApiToken.find({ userId: user._id }).lean();
    expect(stored).toEqual([expect.objectContaining({ tokenHash: hashApiToken(token), label: 'laptop', createdAt: start, expiresAt, lastUsedAt: null })]);
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('gives tokens the configured lifetime', async () => {
    const { email } = await account();
    const { expiresAt } = await issueApiToken(deps(start, { tokenTtlDays: 7 }), { email, password: 'the right password' }, '10.2.0.1');
    expect(expiresAt).toEqual(minutesFrom(start, 7 * DAY));
  });

  it('refuses an unknown email, a wrong password and a disabled user with one and the same UNAUTHENTICATED', async () => {
    const { user, email, signIn } = await account();
    const refusals = [
      await appErrorFrom(signIn({ email: 'nobody@tokens.test' })),
      await appErrorFrom(signIn({ password: 'the wrong password' })),
    ];
    await db.stores.users.updateAccount(user._id, { disabled: true });
    refusals.push(await appErrorFrom(issueApiToken(deps(), { email, password: 'the right password' }, '10.2.0.2')));
    expect(refusals.map((e) => [e.code, e.message])).toEqual(Array(3).fill(['UNAUTHENTICATED', INVALID_CREDENTIALS]));
    expect(await db.models.ApiToken.countDocuments({ userId: user._id })).toBe(0);
  });

  it('names missing or oversized fields', async () => {
    expect(await invalidFields(issueApiToken(deps(), {}, '10.2.0.3'))).toEqual(['email', 'password']);
    expect(await invalidFields(issueApiToken(deps(), { email: 'a@tokens.test', password: 'x'.repeat(1025), label: 'l'.repeat(101) }, '10.2.0.3'))).toEqual(['label', 'password']);
  });

  it('spends the same throttle budget as the sign-in page: a locked-out account is RATE_LIMITED even with the right password', async () => {
    const { email } = await account();
    const limited = { ...deps(), loginLimits: { perAccount: 2, perAddress: 100 } };
    for (let i = 0; i < 2; i++) expect((await appErrorFrom(issueApiToken(limited, { email, password: 'a guess' }, '10.3.0.1'))).code).toBe('UNAUTHENTICATED');
    expect((await appErrorFrom(issueApiToken(limited, { email, password: 'the right password' }, '10.3.0.1'))).code).toBe('RATE_LIMITED');
  });
});

describe('authenticateApiToken', () => {
  it('resolves a token to its user, as the actor of the request', async () => {
    const { user, actor, signIn } = await account('admin');
    const { token } = await signIn();
    const principal = await authenticate(token);
    expect(principal.actor).toEqual({ ...actor, teamIds: [] });
    expect(principal.user).toMatchObject({ id: user._id.toHexString(), email: user.email, name: null, role: 'admin', inboxIds: user.inboxIds.map(String) });
  });

  it('refuses a missing, malformed, unknown, expired or revoked token and a disabled user’s with UNAUTHENTICATED', async () => {
    const { user, signIn } = await account();
    const { token, expiresAt } = await signIn();
    const other = (await signIn()).token;
    const refused = async (t: string | undefined, now = start) => (await appErrorFrom(authenticate(t, now))).code;
    expect(await refused(undefined)).toBe('UNAUTHENTICATED');
    expect(await refused('Bearer nonsense')).toBe('UNAUTHENTICATED');
    expect(await refused(`tl_${'A'.repeat(43)}`)).toBe('UNAUTHENTICATED');
    expect(await authenticate(token, minutesFrom(expiresAt, -1))).toBeTruthy();
    expect(await refused(token, expiresAt)).toBe('UNAUTHENTICATED');

    await revokeApiToken(db.stores, (await authenticate(token)).tokenId);
    expect(await refused(token)).toBe('UNAUTHENTICATED');
    expect(await authenticate(other)).toBeTruthy();

    await db.stores.users.updateAccount(user._id, { disabled: true });
    expect(await refused(other)).toBe('UNAUTHENTICATED');
  });

  it('notes when a token was last used, at most once a minute', async () => {
    const { signIn } = await account();
    const { token } = await signIn();
    const { tokenId } = await authenticate(token);
    const lastUsed = async () => (await db.models.ApiToken.findById(tokenId).lean())!.lastUsedAt;
    expect(await lastUsed()).toEqual(start);
    await authenticate(token, new Date(start.getTime() + 59_000));
    expect(await lastUsed()).toEqual(start);
    await authenticate(token, minutesFrom(start, 2));
    expect(await lastUsed()).toEqual(minutesFrom(start, 2));
  });
});

describe('personal API tokens', () => {
  it('are created only from a browser session, never with an API token, and not by the operator', async () => {
    const { user, actor } = await account();
    expect((await appErrorFrom(createPersonalApiToken(deps(), actor, 'api-token', { label: 'minted' }))).code).toBe('FORBIDDEN');
    expect((await appErrorFrom(createPersonalApiToken(deps(), OPERATOR, 'web-session', { label: 'root' }))).code).toBe('FORBIDDEN');
    expect(await db.models.ApiToken.countDocuments({ userId: user._id })).toBe(0);
  });

  it('carry a label and a lifetime of 1 to 365 days, 90 unless given, and work as their creator', async () => {
    const { user, actor } = await account();
    const made = await createPersonalApiToken(deps(), actor, 'web-session', { label: ' CI ' });
    expect(made).toMatchObject({ label: 'CI', expiresAt: minutesFrom(start, 90 * DAY) });
    expect((await createPersonalApiToken(deps(), actor, 'web-session', { label: 'year', expiresInDays: 365 })).expiresAt).toEqual(minutesFrom(start, 365 * DAY));
    expect((await authenticate(made.token)).actor.userId).toEqual(user._id);
    expect(await invalidFields(createPersonalApiToken(deps(), actor, 'web-session', { label: '  ', expiresInDays: 366 }))).toEqual(['expiresInDays', 'label']);
    expect(await invalidFields(createPersonalApiToken(deps(), actor, 'web-session', { label: 'x', expiresInDays: 0.5, scope: 'all' }))).toEqual(['expiresInDays', 'scope']);
  });

  it('are listed newest first with what the account page shows, and nothing that would let one be used', async () => {
    const { actor, signIn } = await account();
    const signInToken = (await signIn({ label: 'from sign-in' })).token;
    const later = await createPersonalApiToken(deps(minutesFrom(start, 1)), actor, 'web-session', { label: 'short-lived', expiresInDays: 1 });
    const list = await listPersonalApiTokens(deps(minutesFrom(start, 2 * DAY)), actor);
    expect(list.map((t) => [t.label, t.expired])).toEqual([
      ['short-lived', true],
      ['from sign-in', false],
    ]);
    expect(list.every((t) => Object.keys(t).sort().join() === 'createdAt,expired,expiresAt,id,label,lastUsedAt')).toBe(true);
    const shown = JSON.stringify(list);
    for (const secret of [signInToken, later.token, hashApiToken(signInToken), hashApiToken(later.token)]) expect(shown).not.toContain(secret);
    expect(await listPersonalApiTokens(deps(), OPERATOR)).toEqual([]);
  });

  it('are revoked by their owner only: another user’s token is NOT_FOUND and keeps working', async () => {
    const owner = await account();
    const stranger = await account('admin');
    const mine = await createPersonalApiToken(deps(), owner.actor, 'web-session', { label: 'mine' });
    const kept = await createPersonalApiToken(deps(), owner.actor, 'web-session', { label: 'kept' });

    expect((await appErrorFrom(revokePersonalApiToken(deps(), stranger.actor, mine.id))).code).toBe('NOT_FOUND');
    expect(await authenticate(mine.token)).toBeTruthy();

    await revokePersonalApiToken(deps(), owner.actor, mine.id);
    expect((await appErrorFrom(authenticate(mine.token))).code).toBe('UNAUTHENTICATED');
    expect(await authenticate(kept.token)).toBeTruthy();
    expect((await appErrorFrom(revokePersonalApiToken(deps(), owner.actor, mine.id))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(revokePersonalApiToken(deps(), owner.actor, 'not-an-id'))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(revokePersonalApiToken(deps(), OPERATOR, kept.id))).code).toBe('NOT_FOUND');
    expect((await listPersonalApiTokens(deps(), owner.actor)).map((t) => t.label)).toEqual(['kept']);
  });
});
