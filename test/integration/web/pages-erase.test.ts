import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createI18n } from '../../../src/i18n/catalog.js';
import { PSEUDO_LOCALE } from '../../../src/i18n/locales.js';
import { createUser } from '../../helpers/api.js';
import { seedPeople } from '../services/contacts/person-fixture.js';
import { Client, startPages } from './pages-harness.js';

// Issue 22: erasing a person through the real pages, confirmed twice, on a real database.
let h: Awaited<ReturnType<typeof startPages>>;
let s: Awaited<ReturnType<typeof seedPeople>>;
let admin: Client;
let manager: Client;
let agent: Client;
let jane: string;

const NNBSP = '\u202f';
const token = (html: string) => /name="token" value="([^"]+)"/.exec(html)?.[1] ?? '';

beforeAll(async () => {
  h = await startPages(null);
  s = await seedPeople(h.models);
  jane = s.contacts.jane.toHexString();
  await createUser(h.models, { email: 'ada@desk.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  await createUser(h.models, { email: 'max@desk.test', password: 'max password 123', role: 'manager', inboxIds: [s.inboxA], name: 'Max' });
  await createUser(h.models, { email: 'gina@desk.test', password: 'gina password 123', inboxIds: [s.inboxA], name: 'Gina' });
  admin = await Client.signedIn(h.base, 'ada@desk.test', 'ada password 123');
  manager = await Client.signedIn(h.base, 'max@desk.test', 'max password 123');
  agent = await Client.signedIn(h.base, 'gina@desk.test', 'gina password 123');
});
afterAll(async () => h.close());

describe('/contacts/:id/erase', () => {
  it('is for admins only: managers and agents get 403, an unknown contact 404', async () => {
    expect((await manager.get(`/contacts/${jane}/erase`)).status).toBe(403);
    expect((await agent.get(`/contacts/${jane}/erase`)).status).toBe(403);
    const page = await admin.get(`/contacts/${jane}/erase`);
    expect((await manager.post(`/contacts/${jane}/erase`, { _csrf: Client.csrf(page.text), confirm_address: 'jane@customer.test', understand: '1' })).status).toBe(403);
    expect((await admin.get('/contacts/0123456789abcdef01234567/erase')).status).toBe(404);
    expect((await admin.get('/contacts/nope/erase')).status).toBe(404);
  });

  it('in French, with the narrow no-break spaces of French typography', async () => {
    const french = new Client(h.base, undefined, { 'accept-language': 'fr-FR,fr;q=0.9' });
    await french.login('ada@desk.test', 'ada password 123');
    const page = await french.get(`/contacts/${jane}/erase`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Adresses${NNBSP}:`);
    expect(page.text).toContain('Je comprends que c’est irréversible');
    expect(page.text).toContain(`3 demandes${NNBSP}: demandeur, copies et objet`);
  });

  it('has every text in the catalogs: none left in English in the pseudo-locale, no raw key', async () => {
    const pseudo = await startPages(null, { i18n: createI18n({ pseudo: true }) });
    try {
      const p = await seedPeople(pseudo.models);
      await createUser(pseudo.models, { email: 'ada@desk.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
      await pseudo.models.User.updateMany({}, { $set: { locale: PSEUDO_LOCALE } });
      const client = await Client.signedIn(pseudo.base, 'ada@desk.test', 'ada password 123');
      const page = await client.get(`/contacts/${p.contacts.jane.toHexString()}/erase`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`<html lang="${PSEUDO_LOCALE}">`);
      for (const english of ['Erase this person', 'Type one of the person', 'I understand this cannot be undone', 'Continue', 'Ticket numbers, statuses', 'Addresses:', 'tickets:erase.']) expect(page.text).not.toContain(english);
      const refused = await client.post(`/contacts/${p.contacts.jane.toHexString()}/erase`, { _csrf: Client.csrf(page.text), confirm_address: 'nobody@x.test', understand: '1' });
      expect(refused.status).toBe(400);
      expect(refused.text).not.toContain('Type one of the person’s addresses exactly as shown.');
      expect(refused.text).not.toContain('errors:erase.');
    } finally {
      await pseudo.close();
    }
  });

  it('shows what will be erased, asks twice, and erases only on the second confirmation', async () => {
    const page = await admin.get(`/contacts/${jane}/erase`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('3 tickets: requester, copies and subject');
    expect(page.text).toContain('3 messages from or to them');
    expect(page.text).toContain('1 attachment and the stored raw mail');
    expect(page.text).toContain('<code>jane.roe@work.test</code>');
    expect(page.text).toMatch(new RegExp(`<form method="post" action="/contacts/${jane}/erase" class="card cfg-form">`));
    // Works without JavaScript; nothing inline for the CSP.
    expect(page.text).not.toMatch(/<script(?![^>]*src=)|style="/);
    const csrf = Client.csrf(page.text);

    // Not ticked, or an address not the person's: the form again, with the problem named.
    const unticked = await admin.post(`/contacts/${jane}/erase`, { _csrf: csrf, confirm_address: 'jane@customer.test' });
    expect(unticked.status).toBe(400);
    expect(unticked.text).toContain('Tick “I understand this cannot be undone” to go on.');
    const typo = await admin.post(`/contacts/${jane}/erase`, { _csrf: csrf, confirm_address: 'jane@customer.tes', understand: '1' });
    expect(typo.status).toBe(400);
    expect(typo.text).toContain('Type one of the person’s addresses exactly as shown.');
    expect(typo.text).toContain('value="jane@customer.tes"');

    // The first confirmation only shows the last step.
    const second = await admin.post(`/contacts/${jane}/erase`, { _csrf: csrf, confirm_address: 'JANE.ROE@work.test', understand: '1' });
    expect(second.status).toBe(200);
    expect(second.text).toContain(`action="/contacts/${jane}/erase/confirm"`);
    expect(second.text).toContain('Erase now');
    expect(token(second.text)).not.toBe('');
    expect((await h.models.Contact.findById(s.contacts.jane).lean())!.email).toBe('jane@customer.test');

    // A forged or altered token erases nothing.
    const forged = await admin.post(`/contacts/${jane}/erase/confirm`, { _csrf: csrf, confirm_address: 'jane.roe@work.test', token: `${Date.now() + 60_000}.${'A'.repeat(43)}` });
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('This confirmation is not valid. Confirm again.');
    // Nor does another admin's session replay this admin's token.
    await createUser(h.models, { email: 'eve@desk.test', password: 'eve password 123', role: 'admin', name: 'Eve' });
    const eve = await Client.signedIn(h.base, 'eve@desk.test', 'eve password 123');
    const evePage = await eve.get(`/contacts/${jane}/erase`);
    expect((await eve.post(`/contacts/${jane}/erase/confirm`, { _csrf: Client.csrf(evePage.text), confirm_address: 'jane.roe@work.test', token: token(second.text) })).status).toBe(400);
    expect((await h.models.Contact.findById(s.contacts.jane).lean())!.email).toBe('jane@customer.test');

    const erased = await admin.post(`/contacts/${jane}/erase/confirm`, { _csrf: csrf, confirm_address: 'jane.roe@work.test', token: token(second.text) });
    expect(erased.status).toBe(303);
    expect(erased.headers.get('location')).toBe(`/contacts/${jane}/erase?erased=1`);
    const done = await admin.get(`/contacts/${jane}/erase?erased=1`);
    expect(done.text).toContain('The person was erased.');
    expect(done.text).toContain('3 tickets, 3 messages and 1 attachment were anonymised.');
    expect(done.text).not.toContain('jane@customer.test');
    expect((await h.models.Contact.findById(s.contacts.jane).lean())!.email).toBe(`erased-${jane}@invalid`);
    expect((await h.models.Contact.findById(s.contacts.alias).lean())!.email).toBe(`erased-${s.contacts.alias.toHexString()}@invalid`);
    expect(await h.models.Ticket.countDocuments({ 'requester.email': `erased-${jane}@invalid` })).toBe(2);
    expect(await h.models.AccessLog.countDocuments({ action: 'person_erased', contactId: s.contacts.jane })).toBe(1);
  });
});
