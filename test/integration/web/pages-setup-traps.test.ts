import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../helpers/api.js';
import { freePort } from '../../helpers/process.js';
import { Client, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let closedPort: number;
let admin: Client;
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

beforeAll(async () => {
  h = await startPages(null);
  closedPort = await freePort();
  await createUser(h.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  admin = new Client(h.base, undefined, { accept: BROWSER_ACCEPT });
  expect((await admin.login('ada@example.test', 'ada password 123')).status).toBe(303);
});
afterAll(async () => h.close());

describe('unknown addresses', () => {
  it('show a signed-out browser the HTML 404 page with a link home', async () => {
    const res = await new Client(h.base, undefined, { accept: BROWSER_ACCEPT }).get('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('<h1>Not found</h1>');
    expect(res.text).toContain('There is no page at /no/such/page.');
    expect(res.text).toContain('<a href="/">');
  });

  it('show a signed-in browser the page in its language', async () => {
    const fr = new Client(h.base, undefined, { accept: BROWSER_ACCEPT, 'accept-language': 'fr' });
    const res = await fr.get('/tickets/nope/whatever');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Aucune page ne se trouve à l’adresse /tickets/nope/whatever.');
    const signedIn = await admin.get('/settings/nothing-here');
    expect(signedIn.status).toBe(404);
    expect(signedIn.text).toContain('There is no page at /settings/nothing-here.');
  });

  it('keep answering JSON under /api/ and to callers that do not ask for HTML', async () => {
    const api = await new Client(h.base, undefined, { accept: BROWSER_ACCEPT }).get('/api/v1/nothing');
    expect(api.status).toBe(404);
    expect(JSON.parse(api.text)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const curl = await new Client(h.base).get('/no/such/page');
    expect(curl.status).toBe(404);
    expect(curl.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

const inboxForm = (overrides: Record<string, string> = {}) => ({
  name: 'Billing',
  address: 'billing@example.test',
  imap_host: '127.0.0.1',
  imap_port: String(closedPort),
  imap_user: 'billing@example.test',
  imap_password: 'imap-secret-traps',
  imap_folder: 'INBOX',
  smtp_host: '127.0.0.1',
  smtp_port: String(closedPort),
  action: 'save',
  ...overrides,
});

describe('setting up an inbox', () => {
  it('saves an inbox whose connection test fails disabled, with the reason shown', async () => {
    const form = await admin.get('/settings/inboxes/new');
    const res = await admin.post('/settings/inboxes/new', { _csrf: Client.csrf(form.text), ...inboxForm() });
    expect(res.status).toBe(303);
    const id = /\/settings\/inboxes\/([0-9a-f]{24})\?saved=created$/.exec(res.headers.get('location') ?? '')![1]!;
    const stored = (await h.models.Inbox.findById(id).lean())!;
    expect(stored.disabled).toMatchObject({ reason: 'connection-test' });
    expect(stored.disabled!.detail).toBe('IMAP (reading mail): connection refused. SMTP (sending mail): connection refused.');
    const page = await admin.get(`/settings/inboxes/${id}`);
    expect(page.text).toContain('It was saved while its connection test failed.');
    expect(page.text).toContain('IMAP (reading mail): connection refused.');
  });

  it('shows the new-inbox form with the TLS mode hint, and takes the mode of a changed port when the box was left alone', async () => {
    const form = await admin.get('/settings/inboxes/new');
    expect(form.text).toContain('Port 993: ticked. Port 143: unticked');
    expect(form.text).toContain('name="imap_port_was" value="993"');
    expect(form.text).toContain('name="imap_secure_was" value="on"');
    expect(form.text).toMatch(/name="imap_secure" checked/);
    // The browser shows 993 + TLS ticked; the admin types 143 and 587 and leaves both boxes ticked.
    const test = await admin.post('/settings/inboxes/new', {
      _csrf: Client.csrf(form.text),
      ...inboxForm({ name: 'Draft', address: 'draft@example.test', imap_port: '143', smtp_port: '587', action: 'test' }),
      imap_secure: 'on', imap_port_was: '993', imap_secure_was: 'on',
      smtp_secure: 'on', smtp_port_was: '465', smtp_secure_was: 'on',
    });
    expect(test.status).toBe(200);
    // Shown again with the proposed mode: STARTTLS (unticked) on 143 and 587.
    expect(test.text).not.toMatch(/name="imap_secure" checked/);
    expect(test.text).not.toMatch(/name="smtp_secure" checked/);
    expect(test.text).toContain('name="imap_port_was" value="143"');
    // A box the admin did change is taken as ticked.
    const kept = await admin.post('/settings/inboxes/new', {
      _csrf: Client.csrf(form.text),
      ...inboxForm({ name: 'Kept', address: 'kept@example.test', imap_port: '143' }),
      imap_secure: 'on', imap_port_was: '993', imap_secure_was: 'off',
    });
    expect(kept.status).toBe(303);
    expect((await h.models.Inbox.findOne({ address: 'kept@example.test' }).lean())!.imap.secure).toBe(true);
  });

  it('words a failed test from a fixed set, the local error under "details" for admins', async () => {
    const form = await admin.get('/settings/inboxes/new');
    const res = await admin.post('/settings/inboxes/new', { _csrf: Client.csrf(form.text), ...inboxForm({ name: 'Probe', address: 'probe@example.test', action: 'test' }) });
    expect(res.status).toBe(200);
    expect(res.text).toContain('connection refused');
    expect(res.text).toMatch(/<details class="small muted"><summary>Details<\/summary><code>[^<]*ECONNREFUSED/);
  });
});
