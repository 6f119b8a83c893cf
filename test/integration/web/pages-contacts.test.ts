import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../helpers/api.js';
import { seedPeople } from '../services/contacts/person-fixture.js';
import { Client, startPages } from './pages-harness.js';

// Issue 22: the contact pages (/contacts, /contacts/:id) through the real pages on a real database.
let h: Awaited<ReturnType<typeof startPages>>;
let s: Awaited<ReturnType<typeof seedPeople>>;
let admin: Client;
let managerA: Client;
let managerB: Client;
let agent: Client;
let french: Client;
let jane: string;

const NNBSP = '\u202f';

/** The HTML of the section titled by this heading id. */
function section(html: string, id: string): string {
  const start = html.indexOf(`aria-labelledby="${id}"`);
  expect(start, id).toBeGreaterThan(0);
  return html.slice(start, html.indexOf('</section>', start));
}

beforeAll(async () => {
  h = await startPages(null);
  s = await seedPeople(h.models);
  jane = s.contacts.jane.toHexString();
  await createUser(h.models, { email: 'ada@desk.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  await createUser(h.models, { email: 'max@desk.test', password: 'max password 123', role: 'manager', inboxIds: [s.inboxA], name: 'Max' });
  await createUser(h.models, { email: 'mona@desk.test', password: 'mona password 123', role: 'manager', inboxIds: [s.inboxB], name: 'Mona' });
  await createUser(h.models, { email: 'gina@desk.test', password: 'gina password 123', inboxIds: [s.inboxA], name: 'Gina' });
  admin = await Client.signedIn(h.base, 'ada@desk.test', 'ada password 123');
  managerA = await Client.signedIn(h.base, 'max@desk.test', 'max password 123');
  managerB = await Client.signedIn(h.base, 'mona@desk.test', 'mona password 123');
  agent = await Client.signedIn(h.base, 'gina@desk.test', 'gina password 123');
  french = new Client(h.base, undefined, { 'accept-language': 'fr-FR,fr;q=0.9' });
  await french.login('max@desk.test', 'max password 123');
});
afterAll(async () => h.close());

describe('/contacts', () => {
  it('is in the menu of managers and admins and searches by address or name; agents get 403', async () => {
    const page = await managerA.get('/contacts?q=ROE');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<a href="\/contacts" aria-current="page">Contacts<\/a>/);
    expect(page.text).toContain(`<a href="/contacts/${jane}">jane@customer.test</a>`);
    // The alias links to its person.
    expect(page.text).toContain(`<a href="/contacts/${jane}">jane.roe@work.test</a> <span class="badge">Alias</span>`);
    expect(page.text).toMatch(/<form class="card kb-filters contact-search" method="get" action="\/contacts" role="search">/);
    expect((await managerA.get('/contacts?q=nobody-here')).text).toContain('No contact matches.');
    const tooLong = await managerA.get(`/contacts?q=${'x'.repeat(201)}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toContain('role="alert"');
    expect((await agent.get('/')).text).not.toContain('href="/contacts"');
    expect((await agent.get('/contacts?q=jane')).status).toBe(403);
    expect((await agent.get(`/contacts/${jane}`)).status).toBe(403);
    expect((await new Client(h.base).get('/contacts')).status).toBe(303);
  });
});

describe('/contacts/:id', () => {
  it('shows an admin every ticket, message and attachment, with the export, erase and alias forms; the view is logged', async () => {
    const page = await admin.get(`/contacts/${jane}`);
    expect(page.status).toBe(200);
    const tickets = section(page.text, 'contact-tickets');
    for (const [id, n] of [[s.tickets.t101, 101], [s.tickets.t102, 102], [s.tickets.t103, 103]] as const) expect(tickets).toContain(`<a href="/tickets/${id}"><span class="muted">#${n}</span>`);
    expect(tickets).toContain('Secret B');
    const messages = section(page.text, 'contact-messages');
    expect(messages).toContain(`<a href="/tickets/${s.tickets.t101}#msg-${s.messages.fromJane}">`);
    expect(messages).toContain(`<a href="/attachments/${s.file.toHexString()}">invoice.pdf</a>`);
    expect(messages).not.toContain(s.messages.note);
    expect(messages).not.toContain(s.messages.bobInA);
    expect(page.text).toMatch(new RegExp(`<form method="post" action="/contacts/${jane}/exports">\\s*<input type="hidden" name="_csrf" value="[^"]+">`));
    expect(page.text).toContain(`<a class="button danger" href="/contacts/${jane}/erase">Erase this person</a>`);
    // The person's exports (none yet), for admins.
    expect(section(page.text, 'exports-heading')).toContain('No exports yet.');
    expect(section(page.text, 'contact-addresses')).toContain(`action="/contacts/${jane}/aliases/${s.contacts.alias.toHexString()}/unlink"`);
    expect(await h.models.AccessLog.countDocuments({ action: 'contact_viewed', contactId: s.contacts.jane })).toBeGreaterThan(0);
  });

  it('works without JavaScript and on a 390 px phone: forms only, no inline script or style, every cell labelled', async () => {
    const page = await admin.get(`/contacts/${jane}`);
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.text).not.toMatch(/\sstyle=/);
    expect(page.text).not.toMatch(/\son[a-z]+=/);
    for (const [, table] of page.text.matchAll(/<table class="tickets contact-[^"]*"[^>]*>([\s\S]*?)<\/table>/g)) {
      for (const [, td] of table!.matchAll(/<td([^>]*)>/g)) expect(td, td).toMatch(/data-label="[^"]+"/);
    }
    const css = (await admin.get('/static/app.css')).text;
    expect(css).toMatch(/\.contact-page \.subject, \.contact-addresses li[^{]*\{ overflow-wrap: anywhere; \}/);
  });

  it('sends an alias’s page to its person’s', async () => {
    const res = await admin.get(`/contacts/${s.contacts.alias.toHexString()}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/contacts/${jane}`);
  });

  it('shows a manager only their inboxes’ tickets and messages, without the admins’ actions', async () => {
    const a = await managerA.get(`/contacts/${jane}`);
    expect(a.status).toBe(200);
    expect(a.text).toContain('Printer A');
    expect(a.text).not.toContain('Secret B');
    expect(a.text).not.toContain(s.tickets.t102);
    expect(a.text).not.toContain('/exports"');
    expect(a.text).not.toContain('/erase"');
    expect(a.text).not.toContain('id="exports"');
    expect(a.text).not.toContain(`action="/contacts/${jane}/aliases"`);
    expect(a.text).toContain('Only the tickets of your inboxes are shown.');
    const b = await managerB.get(`/contacts/${jane}`);
    expect(b.text).toContain('Secret B');
    expect(b.text).not.toContain('Printer A');
    const lone = await h.models.Contact.create({ email: 'lone@customer.test' });
    expect((await managerA.get(`/contacts/${lone._id.toHexString()}`)).status).toBe(404);
    expect((await managerA.post(`/contacts/${jane}/aliases`, { _csrf: Client.csrf(a.text), email: 'x@y.test' })).status).toBe(403);
  });

  it('is in French for a French browser, with French typography', async () => {
    const page = await french.get(`/contacts/${jane}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="fr"');
    expect(page.text).toContain('Demandes (2)');
    expect(page.text).toContain('Seules les demandes de vos boîtes de réception sont affichées.');
    expect(page.text).toContain(`<title>Contact${NNBSP}: Jane Roe`);
  });
});

describe('aliases on the page', () => {
  it('links an address from the form and unlinks it, saying what happened', async () => {
    const bob = s.contacts.bob.toHexString();
    const page = await admin.get(`/contacts/${bob}`);
    const linked = await admin.post(`/contacts/${bob}/aliases`, { _csrf: Client.csrf(page.text), email: 'Bobby@Home.test' });
    expect(linked.status).toBe(303);
    expect(linked.headers.get('location')).toBe(`/contacts/${bob}?done=linked#addresses`);
    const after = await admin.get(`/contacts/${bob}?done=linked`);
    expect(after.text).toContain('Address linked.');
    const bobby = await h.models.Contact.findOne({ email: 'bobby@home.test' }).lean();
    expect(bobby?.primaryContactId?.toHexString()).toBe(bob);
    expect(section(after.text, 'contact-addresses')).toContain('bobby@home.test');

    const refused = await admin.post(`/contacts/${bob}/aliases`, { _csrf: Client.csrf(after.text), email: 'jane.roe@work.test' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('jane.roe@work.test is already an alias of another contact: unlink it there first.');
    expect(refused.text).toContain('name="email" value="jane.roe@work.test"');
    const invalid = await admin.post(`/contacts/${bob}/aliases`, { _csrf: Client.csrf(after.text), email: 'not an address' });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('Type a valid email address.');
    // Without the form's token: refused.
    expect((await admin.post(`/contacts/${bob}/aliases`, { email: 'z@z.test' })).status).toBe(403);

    const unlinked = await admin.post(`/contacts/${bob}/aliases/${bobby!._id.toHexString()}/unlink`, { _csrf: Client.csrf(after.text) });
    expect(unlinked.headers.get('location')).toBe(`/contacts/${bob}?done=unlinked#addresses`);
    const again = await admin.post(`/contacts/${bob}/aliases/${bobby!._id.toHexString()}/unlink`, { _csrf: Client.csrf(after.text) });
    expect(again.headers.get('location')).toBe(`/contacts/${bob}?done=gone#addresses`);
  });
});

describe('from the ticket page', () => {
  it('links the requester to their contact page for managers and admins, not for agents', async () => {
    const lookup = '/contacts/lookup?email=jane%40customer.test';
    const forManager = await managerA.get(`/tickets/${s.tickets.t101}`);
    expect(forManager.status).toBe(200);
    // Handlebars writes `=` as `&#x3D;` in attributes; a browser reads the same address.
    expect(forManager.text).toContain(`<a href="${lookup.replace('=', '&#x3D;')}"`);
    const forAgent = await agent.get(`/tickets/${s.tickets.t101}`);
    expect(forAgent.status).toBe(200);
    expect(forAgent.text).not.toContain('/contacts/lookup');
    const res = await managerA.get(lookup);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/contacts/${jane}`);
    expect((await managerA.get('/contacts/lookup?email=nobody%40x.test')).status).toBe(404);
    expect((await agent.get(lookup)).status).toBe(403);
  });
});
