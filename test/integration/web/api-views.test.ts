import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

let h: ApiHarness;
let token: string;
let otherToken: string;
const inbox = new Types.ObjectId();

beforeAll(async () => {
  h = await startApi('api_views');
  await h.models.Inbox.create({ _id: inbox, name: 'A', address: 'a@example.com', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } });
  await createUser(h.models, { email: 'vera@example.com', password: 'vera password 123', inboxIds: [inbox] });
  await createUser(h.models, { email: 'otto@example.com', password: 'otto password 123', inboxIds: [inbox] });
  token = await login(h.base, 'vera@example.com', 'vera password 123');
  otherToken = await login(h.base, 'otto@example.com', 'otto password 123');
});
afterAll(() => h.close());

const names = (res: { body: { items: Array<{ name: string }> } }) => res.body.items.map((v) => v.name);

describe('/api/v1/views', () => {
  it('creates, lists by name, renames, changes the filters of and deletes a view of the caller', async () => {
    expect((await call(h.base, 'GET', '/views', { token })).body).toEqual({ items: [] });
    const filters = { inbox: inbox.toHexString(), status: 'active', tag: 'vip', due: 'breached', q: 'refund' };
    const created = await call(h.base, 'POST', '/views', { token, body: { name: '  VIP breaching  ', filters } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{24}$/), name: 'VIP breaching', filters });
    const id = created.body.id as string;
    // Empty filters are dropped; no filters at all is a view of everything.
    const plain = await call(h.base, 'POST', '/views', { token, body: { name: 'Anything', filters: { tag: '', assignee: 'me' } } });
    expect(plain.body.filters).toEqual({ assignee: 'me' });
    const bare = await call(h.base, 'POST', '/views', { token, body: { name: 'Everything' } });
    expect(bare.status).toBe(201);
    expect(bare.body.filters).toEqual({});
    expect(names(await call(h.base, 'GET', '/views', { token }))).toEqual(['Anything', 'Everything', 'VIP breaching']);

    const renamed = await call(h.base, 'PATCH', `/views/${id}`, { token, body: { name: 'Breaching VIPs' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id, name: 'Breaching VIPs', filters });
    const refiltered = await call(h.base, 'PATCH', `/views/${id}`, { token, body: { filters: { due: 'soon' } } });
    expect(refiltered.body).toMatchObject({ id, name: 'Breaching VIPs', filters: { due: 'soon' } });

    expect((await call(h.base, 'DELETE', `/views/${id}`, { token })).status).toBe(204);
    expect((await call(h.base, 'DELETE', `/views/${id}`, { token })).status).toBe(404);
    expect((await call(h.base, 'PATCH', `/views/${id}`, { token, body: { name: 'Back' } })).status).toBe(404);
    expect(names(await call(h.base, 'GET', '/views', { token }))).toEqual(['Anything', 'Everything']);
    for (const v of [plain, bare]) await call(h.base, 'DELETE', `/views/${v.body.id}`, { token });
  });

  it('answers 400 VALIDATION_FAILED naming the field: a name over 60 characters, no name, bad filters, unknown fields', async () => {
    const cases: Array<[body: unknown, path: string]> = [
      [{ name: 'x'.repeat(61) }, 'name'],
      [{ name: '   ' }, 'name'],
      [{ filters: { status: 'open' } }, 'name'],
      [{ name: 'Later', filters: { due: 'tomorrow' } }, 'filters.due'],
      [{ name: 'Odd', filters: { status: 'waiting' } }, 'filters.status.0'],
      [{ name: 'Extra', colour: 'red' }, ''],
    ];
    for (const [body, path] of cases) {
      const res = await call(h.base, 'POST', '/views', { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      if (path) expect(res.body.error.details.issues.map((i: { path: string }) => i.path), JSON.stringify(body)).toContain(path);
    }
    expect((await call(h.base, 'POST', '/views', { token, body: { name: 'x'.repeat(60) } })).status).toBe(201);
    const [view] = (await call(h.base, 'GET', '/views', { token })).body.items;
    const tooLong = await call(h.base, 'PATCH', `/views/${view.id}`, { token, body: { name: 'y'.repeat(61) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details.issues[0].path).toBe('name');
    await call(h.base, 'DELETE', `/views/${view.id}`, { token });
    expect((await call(h.base, 'GET', '/views', { token })).body.items).toEqual([]);
  });

  it('keeps at most 20 views per user (409 CONFLICT), counted per user', async () => {
    const ids: string[] = [];
    for (let i = 1; i <= 20; i++) {
      const res = await call(h.base, 'POST', '/views', { token, body: { name: `View ${String(i).padStart(2, '0')}`, filters: { tag: `t${i}` } } });
      expect(res.status, `view ${i}`).toBe(201);
      ids.push(res.body.id);
    }
    const over = await call(h.base, 'POST', '/views', { token, body: { name: 'One too many' } });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('CONFLICT');
    expect((await call(h.base, 'GET', '/views', { token })).body.items).toHaveLength(20);
    // Another user's limit is their own.
    const theirs = await call(h.base, 'POST', '/views', { token: otherToken, body: { name: 'Mine' } });
    expect(theirs.status).toBe(201);
    // Deleting one makes room again.
    expect((await call(h.base, 'DELETE', `/views/${ids[0]}`, { token })).status).toBe(204);
    expect((await call(h.base, 'POST', '/views', { token, body: { name: 'One more' } })).status).toBe(201);
    await h.models.SavedView.deleteMany({});
  });

  it("never shows, changes or deletes another user's view: 404 as if it did not exist", async () => {
    const theirs = await call(h.base, 'POST', '/views', { token: otherToken, body: { name: 'Otto only', filters: { assignee: 'me' } } });
    const id = theirs.body.id as string;
    expect((await call(h.base, 'GET', '/views', { token })).body.items).toEqual([]);
    const patched = await call(h.base, 'PATCH', `/views/${id}`, { token, body: { name: 'Taken' } });
    expect(patched.status).toBe(404);
    expect(patched.body.error.code).toBe('NOT_FOUND');
    expect((await call(h.base, 'DELETE', `/views/${id}`, { token })).status).toBe(404);
    for (const bad of ['not-an-id', new Types.ObjectId().toHexString()]) {
      expect((await call(h.base, 'PATCH', `/views/${bad}`, { token, body: { name: 'X' } })).status, bad).toBe(404);
      expect((await call(h.base, 'DELETE', `/views/${bad}`, { token })).status, bad).toBe(404);
    }
    // Untouched for its owner.
    expect((await call(h.base, 'GET', '/views', { token: otherToken })).body.items).toEqual([expect.objectContaining({ id, name: 'Otto only', filters: { assignee: 'me' } })]);
    expect((await call(h.base, 'GET', '/views')).status).toBe(401);
  });
});
