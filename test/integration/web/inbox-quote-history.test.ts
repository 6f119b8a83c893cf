import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let api: ApiHarness;
const desk = new Types.ObjectId();
const account = { host: '127.0.0.1', port: 993, secure: true, user: 'desk@example.test', folder: 'INBOX' };

/** The inbox form as the page posts it, with this box ticked or not. */
const form = (csrf: string, quote: boolean): Record<string, string> => ({
  _csrf: csrf, action: 'save', name: 'Desk', address: 'desk@example.test',
  imap_host: '127.0.0.1', imap_port: '993', imap_secure: 'on', imap_user: 'desk@example.test', imap_folder: 'INBOX',
  smtp_host: '127.0.0.1', smtp_port: '465', smtp_secure: 'on', quote_history_shown: '1', ...(quote ? { quote_history: 'on' } : {}),
});

beforeAll(async () => {
  [h, api] = await Promise.all([startPages(null), startApi('inbox_quote_history')]);
  for (const models of [h.models, api.models]) {
    await models.Inbox.create({ _id: desk, name: 'Desk', address: 'desk@example.test', imap: account, smtp: { host: '127.0.0.1', port: 465, secure: true }, options: {} });
    await createUser(models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin' });
  }
});
afterAll(() => Promise.all([h.close(), api.close()]));

describe('the inbox setting quoteHistory', () => {
  it('is on by default and turned off and on again with the API', async () => {
    const token = await login(api.base, 'ada@example.test', 'ada password 123');
    const id = desk.toHexString();
    expect((await call(api.base, 'GET', `/inboxes/${id}`, { token })).body.quoteHistory).toBe(true);
    const off = await call(api.base, 'PATCH', `/inboxes/${id}`, { token, body: { quoteHistory: false } });
    expect(off.status).toBe(200);
    expect(off.body.quoteHistory).toBe(false);
    expect((await api.models.Inbox.findById(desk).lean())!.quoteHistory).toBe(false);
    expect((await call(api.base, 'PATCH', `/inboxes/${id}`, { token, body: { quoteHistory: 'no' } })).status).toBe(400);
    expect((await call(api.base, 'PATCH', `/inboxes/${id}`, { token, body: { quoteHistory: true } })).body.quoteHistory).toBe(true);
  });

  it('is a box on the inbox settings page that saves without JavaScript', async () => {
    const c = await Client.signedIn(h.base, 'ada@example.test', 'ada password 123');
    const path = `/settings/inboxes/${desk.toHexString()}`;
    const page = await c.get(path);
    expect(page.text).toContain('Quote the customer&#x27;s previous mail below each reply');
    expect(page.text).toMatch(/<input type="checkbox" name="quote_history" checked>/);

    const unticked = await c.post(path, form(Client.csrf(page.text), false));
    expect(unticked.status).toBe(303);
    expect((await h.models.Inbox.findById(desk).lean())!.quoteHistory).toBe(false);
    const again = await c.get(path);
    expect(again.text).toMatch(/<input type="checkbox" name="quote_history">/);

    expect((await c.post(path, form(Client.csrf(again.text), true))).status).toBe(303);
    expect((await h.models.Inbox.findById(desk).lean())!.quoteHistory).toBe(true);
  });

  it('is left as it is by a posted form that did not show the box', async () => {
    await h.models.Inbox.updateOne({ _id: desk }, { $set: { quoteHistory: false } });
    const c = await Client.signedIn(h.base, 'ada@example.test', 'ada password 123');
    const path = `/settings/inboxes/${desk.toHexString()}`;
    const { quote_history_shown: _, ...older } = form(Client.csrf((await c.get(path)).text), false);
    expect((await c.post(path, older)).status).toBe(303);
    expect((await h.models.Inbox.findById(desk).lean())!.quoteHistory).toBe(false);
  });
});
