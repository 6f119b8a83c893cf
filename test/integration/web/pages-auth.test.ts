import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Models } from '../../../src/store/models/index.js';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();
let ticketA: Types.ObjectId;
let ticketB: Types.ObjectId;

async function seed(models: Models) {
  await models.Inbox.create([
    { _id: inboxA, name: 'Alpha support', address: 'alpha@example.test', imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} },
    { _id: inboxB, name: 'Beta billing', address: 'beta@example.test', imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} },
  ]);
  await createUser(models, { email: 'agent@example.test', password: 'agent password 123', inboxIds: [inboxA], name: 'Agnes Agent' });
  await createUser(models, { email: 'admin@example.test', password: 'admin password 123', role: 'admin' });
  ticketA = (await models.Ticket.create({ number: 1, inboxId: inboxA, subject: 'Alpha printer jam', requester: { email: 'ann@customer.test' }, status: 'open', sla: { breachedAt: new Date() } }))._id;
  ticketB = (await models.Ticket.create({ number: 2, inboxId: inboxB, subject: 'Beta invoice wrong', requester: { email: 'bob@customer.test' } }))._id;
  await models.Message.create({ ticketId: ticketA, inboxId: inboxA, direction: 'inbound', from: { address: 'ann@customer.test' }, subject: 'Alpha printer jam', text: 'It jams.', html: '<p>It <b>jams</b>.</p>', flags: {} });
}

beforeAll(async () => {
  h = await startPages(null);
  await seed(h.models);
});
afterAll(async () => h.close());

describe('browser login', () => {
  it('sends a visitor without a session to /login, with strict page headers', async () => {
    const c = new Client(h.base);
    const res = await c.get('/');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2F');
    const login = await c.get('/login');
    expect(login.status).toBe(200);
    const csp = login.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    // Scripts only from our own files: no inline code, no eval.
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toContain("default-src 'none'");
    expect(login.headers.get('x-content-type-options')).toBe('nosniff');
    expect(login.headers.get('referrer-policy')).toBe('same-origin');
  });

  it('refuses unknown emails and wrong passwords with the same text', async () => {
    const c = new Client(h.base);
    const wrong = await c.login('agent@example.test', 'not the password');
    const unknown = await c.login('nobody@example.test', 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text).toContain('Invalid email or password.');
    expect(unknown.text).toContain('Invalid email or password.');
    expect(c.cookies.has('tl_session')).toBe(false);
  });

  it('refuses a login post without its CSRF token', async () => {
    const c = new Client(h.base);
    await c.get('/login');
    const res = await c.post('/login', { email: 'agent@example.test', password: 'agent password 123' });
    expect(res.status).toBe(403);
    expect(c.cookies.has('tl_session')).toBe(false);
  });

  it('logs in with a HttpOnly, SameSite=Lax session cookie and a fresh session id each time', async () => {
    const c = new Client(h.base);
    const res = await c.login('agent@example.test', 'agent password 123');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.setCookies.find((s) => s.startsWith('tl_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const first = c.cookies.get('tl_session')!;
    expect((await c.get('/')).status).toBe(200);

    // Logging in again never keeps the old id, and ends that session.
    const fresh = new Client(h.base);
    const form = await fresh.get('/login');
    for (const [k, v] of fresh.cookies) c.cookies.set(k, v);
    await c.post('/login', { _csrf: Client.csrf(form.text), email: 'agent@example.test', password: 'agent password 123' });
    const second = c.cookies.get('tl_session')!;
    expect(second).not.toBe(first);
    const stale = new Client(h.base);
    stale.cookies.set('tl_session', first);
    expect((await stale.get('/')).status).toBe(303);
  });

  it('never adopts a session id planted before login (no fixation)', async () => {
    const c = new Client(h.base);
    const planted = 'A'.repeat(43);
    c.cookies.set('tl_session', planted);
    await c.login('agent@example.test', 'agent password 123');
    expect(c.cookies.get('tl_session')).not.toBe(planted);
    expect((await c.get('/')).status).toBe(200);
  });

  it('logs out: the session no longer works', async () => {
    const c = new Client(h.base);
    await c.login('agent@example.test', 'agent password 123');
    const token = c.cookies.get('tl_session')!;
    const home = await c.get('/');
    const res = await c.post('/logout', { _csrf: Client.csrf(home.text) });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    expect(c.cookies.has('tl_session')).toBe(false);
    const replay = new Client(h.base);
    replay.cookies.set('tl_session', token);
    expect((await replay.get('/')).status).toBe(303);
  });

  it('ends a session after 8 idle hours', async () => {
    const c = new Client(h.base);
    await c.login('agent@example.test', 'agent password 123');
    const start = Date.now();
    try {
      // Each visit within 8 hours keeps the session alive…
      h.setNow(new Date(start + 7 * 3600_000));
      expect((await c.get('/')).status).toBe(200);
      h.setNow(new Date(start + 14 * 3600_000));
      expect((await c.get('/')).status).toBe(200);
      // …but 9 hours without one end it.
      h.setNow(new Date(start + 23 * 3600_000));
      expect((await c.get('/')).status).toBe(303);
    } finally {
      h.setNow(null);
    }
  });

  it('ends a session after 7 days however active it is', async () => {
    const c = new Client(h.base);
    await c.login('agent@example.test', 'agent password 123');
    const start = Date.now();
    try {
      for (let hour = 6; hour < 7 * 24; hour += 6) {
        h.setNow(new Date(start + hour * 3600_000));
        expect((await c.get('/')).status).toBe(200);
      }
      h.setNow(new Date(start + 7 * 24 * 3600_000 + 60_000));
      expect((await c.get('/')).status).toBe(303);
    } finally {
      h.setNow(null);
    }
  });

  it('throttles: after 10 failures in 15 minutes even the right password gets 429', async () => {
    const c = new Client(h.base);
    for (let i = 0; i < 10; i++) expect((await c.login('admin@example.test', `wrong ${i}`)).status).toBe(401);
    const blocked = await c.login('admin@example.test', 'admin password 123');
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many failed sign-in attempts');
    expect(blocked.headers.get('retry-after')).toBe('900');
    try {
      h.setNow(new Date(Date.now() + 16 * 60_000));
      expect((await c.login('admin@example.test', 'admin password 123')).status).toBe(303);
    } finally {
      h.setNow(null);
    }
  });
});

describe('pages behind the login', () => {
  it('shows an agent only their inboxes and tickets; another inbox\'s ticket is a 404', async () => {
    const c = new Client(h.base);
    await c.login('agent@example.test', 'agent password 123');
    const home = await c.get('/');
    expect(home.text).toContain('Alpha support');
    expect(home.text).not.toContain('Beta billing');
    const list = await c.get('/tickets');
    expect(list.text).toContain('Alpha printer jam');
    expect(list.text).not.toContain('Beta invoice wrong');
    expect(list.text).toContain('SLA breached');
    expect((await c.get(`/tickets/${ticketA.toHexString()}`)).status).toBe(200);
    const hidden = await c.get(`/tickets/${ticketB.toHexString()}`);
    expect(hidden.status).toBe(404);
    expect(hidden.text).not.toContain('Beta invoice wrong');
    expect((await c.get(`/tickets?inbox=${inboxB.toHexString()}`)).status).toBe(404);
  });

  it('refuses form posts without the CSRF token or from another origin (403), accepts them with it', async () => {
    const c = new Client(h.base);
    await c.login('agent@example.test', 'agent password 123');
    const page = await c.get(`/tickets/${ticketA.toHexString()}`);
    const csrf = Client.csrf(page.text);
    expect((await c.post(`/tickets/${ticketA.toHexString()}/note`, { text: 'no token' })).status).toBe(403);
    expect((await c.post(`/tickets/${ticketA.toHexString()}/note`, { text: 'bad token', _csrf: 'x'.repeat(43) })).status).toBe(403);
    const evil = new Client(h.base, 'https://evil.example');
    evil.cookies = c.cookies;
    expect((await evil.post(`/tickets/${ticketA.toHexString()}/note`, { text: 'cross-site', _csrf: csrf })).status).toBe(403);

    const ok = await c.post(`/tickets/${ticketA.toHexString()}/note`, { text: 'Called the customer', _csrf: csrf });
    expect(ok.status).toBe(303);
    const agent = (await h.models.User.findOne({ email: 'agent@example.test' }).lean())!;
    const upd = await c.post(`/tickets/${ticketA.toHexString()}/update`, { _csrf: csrf, status: 'pending', priority: 'high', assigneeId: agent._id.toHexString() });
    expect(upd.status).toBe(303);
    const after = await c.get(`/tickets/${ticketA.toHexString()}`);
    expect(after.text).toContain('Called the customer');
    expect(after.text).toContain('changed the status from open to pending');
    expect(await h.models.Ticket.findById(ticketA).lean()).toMatchObject({ status: 'pending', priority: 'high', assigneeId: agent._id });
    expect(await h.models.Message.countDocuments({ ticketId: ticketA, direction: 'note' })).toBe(1);
    // Hidden tickets stay 404 for form posts too.
    expect((await c.post(`/tickets/${ticketB.toHexString()}/note`, { text: 'x', _csrf: csrf })).status).toBe(404);
  });

  it('serves customer HTML only from its sandboxed body route with a strict CSP', async () => {
    const c = new Client(h.base);
    await c.login('agent@example.test', 'agent password 123');
    const page = await c.get(`/tickets/${ticketA.toHexString()}`);
    expect(page.text).not.toContain('<b>jams</b>');
    const src = /<iframe class="mail-body" src="([^"]+)" sandbox="[^"]*"/.exec(page.text)?.[1];
    expect(src).toBeTruthy();
    const body = await c.get(src!);
    expect(body.status).toBe(200);
    expect(body.text).toContain('<b>jams</b>');
    expect(body.headers.get('content-security-policy')).toBe(`default-src 'none'; img-src data: ${h.base}/mail-images/; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox`);
  });

  it('downloads attachments of visible tickets only, always as a download', async () => {
    const c = new Client(h.base);
    await c.login('agent@example.test', 'agent password 123');
    const mine = await h.blobs.put(Buffer.from('<script>alert(1)</script>'), { filename: 'page.html', contentType: 'text/html' });
    const theirs = await h.blobs.put(Buffer.from('secret'), { filename: 'b.txt', contentType: 'text/plain' });
    const attachment = (id: Types.ObjectId, filename: string, contentType: string) => ({ fileId: id, filename, contentType, size: 10, inline: false, sha256: 'x'.repeat(64) });
    await h.models.Message.create({ ticketId: ticketA, inboxId: inboxA, direction: 'inbound', from: { address: 'ann@customer.test' }, text: 'see file', attachments: [attachment(mine.id, 'page.html', 'text/html')], flags: {} });
    await h.models.Message.create({ ticketId: ticketB, inboxId: inboxB, direction: 'inbound', from: { address: 'bob@customer.test' }, text: 'see file', attachments: [attachment(theirs.id, 'b.txt', 'text/plain')], flags: {} });
    const page = await c.get(`/tickets/${ticketA.toHexString()}`);
    expect(page.text).toContain(`href="/attachments/${mine.id.toHexString()}"`);
    const res = await c.get(`/attachments/${mine.id.toHexString()}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="page.html"/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await c.get(`/attachments/${theirs.id.toHexString()}`)).status).toBe(404);
  });

  it('serves the stylesheet with a long cache under its content hash', async () => {
    const c = new Client(h.base);
    const login = await c.get('/login');
    const href = /href="(\/static\/app\.css\?v=[0-9a-f]+)"/.exec(login.text)![1]!;
    const css = await c.get(href);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.headers.get('cache-control')).toContain('max-age=31536000');
  });

  it('leaves the JSON API and unknown routes alone', async () => {
    const res = await fetch(`${h.base}/api/v1/nothing`, { redirect: 'manual' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('over https', () => {
  it('marks the session cookie Secure with the __Host- prefix when PUBLIC_URL is https', async () => {
    const s = await startPages('https://help.example.test');
    try {
      await createUser(s.models, { email: 'a@example.test', password: 'a password 123456' });
      const c = new Client(s.base);
      const page = await c.get('/login');
      expect(page.setCookies[0]).toMatch(/^__Host-tl_login_csrf=.*; Secure/);
      const res = await c.post('/login', { _csrf: Client.csrf(page.text), email: 'a@example.test', password: 'a password 123456' });
      expect(res.status).toBe(303);
      const cookie = res.setCookies.find((x) => x.startsWith('__Host-tl_session='))!;
      expect(cookie).toMatch(/; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=604800$/);
    } finally {
      await s.close();
    }
  });
});
