import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login } from '../../helpers/api.js';
import { startPagesAndApi } from './pages-api-harness.js';
import { Client } from './pages-harness.js';

// Away is set by the user themself, on /account or with PATCH /api/v1/me (one use case), and shows in
// the top bar, on GET /me and in the admin's user list.
let h: Awaited<ReturnType<typeof startPagesAndApi>>;
let gina: Client;
let admin: Client;

const awayFlag = /<a class="away-flag" href="\/account#away" title="[^"]+">Away<\/a>/;
const stored = async () => h.models.User.findOne({ email: 'gina@example.test' }).lean();

beforeAll(async () => {
  h = await startPagesAndApi('pages_away');
  await createUser(h.models, { email: 'gina@example.test', password: 'gina password 123', name: 'Gina' });
  await createUser(h.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  gina = new Client(h.base);
  await gina.login('gina@example.test', 'gina password 123');
  admin = new Client(h.base);
  await admin.login('ada@example.test', 'ada password 123');
});
afterAll(async () => h.close());

describe('away', () => {
  it('is set and cleared on /account, keeps its first time, and shows in the top bar and the users list', async () => {
    let account = await gina.get('/account');
    expect(account.text).toContain('You are available.');
    expect(account.text).toContain('<input type="hidden" name="away" value="1">');
    expect(account.text).not.toMatch(awayFlag);
    expect(await stored()).toMatchObject({ away: false, awaySince: null });

    const since = new Date(Date.now() - 3_600_000);
    h.setNow(since);
    const marked = await gina.post('/account/away', { _csrf: Client.csrf(account.text), away: '1' });
    expect(marked.status).toBe(303);
    expect(marked.headers.get('location')).toBe('/account?saved=away#away');
    h.setNow(null);
    expect(await stored()).toMatchObject({ away: true, awaySince: since });

    account = await gina.get('/account?saved=away');
    expect(account.text).toContain('You are marked away.');
    expect(account.text).toMatch(awayFlag);
    expect(account.text).toContain('You are marked away since');
    expect(account.text).toContain('<input type="hidden" name="away" value="0">');
    // Every page's top bar says so, not only the account page.
    expect((await gina.get('/')).text).toMatch(awayFlag);
    // Marking away again does not move the time they became away.
    await gina.post('/account/away', { _csrf: Client.csrf(account.text), away: '1' });
    expect((await stored())!.awaySince).toEqual(since);

    const users = await admin.get('/settings/users');
    expect(users.text).toMatch(/<span class="badge away" title="[^"]+">away<\/span>/);
    expect((await admin.get('/')).text).not.toMatch(awayFlag);

    const back = await gina.post('/account/away', { _csrf: Client.csrf(account.text), away: '0' });
    expect(back.headers.get('location')).toBe('/account?saved=back#away');
    expect(await stored()).toMatchObject({ away: false, awaySince: null });
    account = await gina.get('/account?saved=back');
    expect(account.text).toContain('Welcome back: you are marked available.');
    expect(account.text).not.toMatch(awayFlag);
    // Not a ticket event: nothing on any trail.
    expect(await h.models.TicketEvent.countDocuments()).toBe(0);
  });

  it('needs the form token', async () => {
    expect((await gina.post('/account/away', { _csrf: 'forged', away: '1' })).status).toBe(403);
    expect((await stored())!.away).toBe(false);
  });

  it('is set with PATCH /api/v1/me, shown by GET /me and GET /users, and checked with the other fields', async () => {
    const token = await login(h.api, 'gina@example.test', 'gina password 123');
    expect((await call(h.api, 'GET', '/me', { token })).body).toMatchObject({ away: false, awaySince: null });

    const set = await call(h.api, 'PATCH', '/me', { token, body: { away: true } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ locale: null, timeZone: null, away: true, awaySince: expect.any(String) });
    const me = (await call(h.api, 'GET', '/me', { token })).body;
    expect(me).toMatchObject({ email: 'gina@example.test', away: true, awaySince: set.body.awaySince });
    expect(Math.abs(Date.parse(me.awaySince) - Date.now())).toBeLessThan(60_000);
    // The same state as the page's: the top bar shows it.
    expect((await gina.get('/account')).text).toMatch(awayFlag);

    const adminToken = await login(h.api, 'ada@example.test', 'ada password 123');
    const listed = (await call(h.api, 'GET', '/users', { token: adminToken })).body.items.find((u: { email: string }) => u.email === 'gina@example.test');
    expect(listed).toMatchObject({ away: true, awaySince: set.body.awaySince });

    // Nothing is written unless every field is valid.
    const refused = await call(h.api, 'PATCH', '/me', { token, body: { away: 'no', timeZone: 'Europe/Paris' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['away']);
    expect((await call(h.api, 'PATCH', '/me', { token, body: { away: false, timeZone: 'Mars/Olympus_Mons' } })).status).toBe(400);
    expect(await stored()).toMatchObject({ away: true, timeZone: null });

    const back = await call(h.api, 'PATCH', '/me', { token, body: { away: false, timeZone: 'Europe/Paris' } });
    expect(back.body).toEqual({ locale: null, timeZone: 'Europe/Paris', away: false, awaySince: null });
    expect((await gina.get('/account')).text).not.toMatch(awayFlag);
  });
});
