import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { FILTERED_SEARCH_READ_MAX } from '../../../../src/store/contact-store.js';
import { getPerson } from '../../../../src/services/contacts/get-person.js';
import { linkAlias } from '../../../../src/services/contacts/link-alias.js';
import { searchContacts } from '../../../../src/services/contacts/search-contacts.js';
import { unlinkAlias } from '../../../../src/services/contacts/unlink-alias.js';
import { appErrorFrom, invalidFields } from '../../../helpers/app-error.js';
import { openTestDb } from '../../../helpers/db.js';
import { seedPeople } from './person-fixture.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let s: Awaited<ReturnType<typeof seedPeople>>;
let admin: Actor;
let managerA: Actor;
let managerB: Actor;
let agentA: Actor;
const now = () => new Date();
const deps = () => ({ ...db.stores, now });

beforeAll(async () => {
  db = await openTestDb('contacts');
  s = await seedPeople(db.models);
  admin = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
  managerA = { userId: new Types.ObjectId(), role: 'manager', inboxIds: [s.inboxA] };
  managerB = { userId: new Types.ObjectId(), role: 'manager', inboxIds: [s.inboxB] };
  agentA = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [s.inboxA] };
});
afterAll(async () => db.drop());

describe('the person data store', () => {
  it('resolves an alias to its primary, with every address in lower case', async () => {
    const person = await db.stores.personData.findPerson(s.contacts.alias);
    expect(person?.primary._id.equals(s.contacts.jane)).toBe(true);
    expect(person?.aliases.map((a) => a.email)).toEqual(['jane.roe@work.test']);
    expect(person?.addresses.sort()).toEqual(['jane.roe@work.test', 'jane@customer.test']);
    expect(await db.stores.personData.findPerson(new Types.ObjectId())).toBeNull();
  });

  it('lists the tickets where an address is requester or participant, within the inboxes asked for', async () => {
    const addresses = ['JANE@customer.test', 'jane.roe@work.test'];
    const all = (await db.stores.personData.listTicketIds(addresses, null)).map(String).sort();
    expect(all).toEqual([s.tickets.t101, s.tickets.t102, s.tickets.t103].sort());
    const inA = (await db.stores.personData.listTicketIds(addresses, [s.inboxA])).map(String).sort();
    expect(inA).toEqual([s.tickets.t101, s.tickets.t103].sort());
    expect(await db.stores.personData.listTicketIds(addresses, [])).toEqual([]);
  });

  it('streams the messages written by or to the addresses, whatever the case of the headers, and no other', async () => {
    const ids = [s.tickets.t101, s.tickets.t102, s.tickets.t103].map((id) => new Types.ObjectId(id));
    const seen: string[] = [];
    for await (const m of db.stores.personData.listMessages(ids, ['jane@customer.test', 'jane.roe@work.test'])) seen.push(m._id.toHexString());
    expect(seen.sort()).toEqual([s.messages.fromJane, s.messages.toJane, s.messages.fromAlias, s.messages.bobCopiesJane].sort());
    // Whole messages: the bodies are there for the export.
    for await (const m of db.stores.personData.listMessages(ids.slice(0, 1), ['jane@customer.test'])) expect(m.text).toBeTruthy();
  });

  it('finds the same contacts with tickets in a batch as one person at a time, aliases and blind copies included', async () => {
    const blind = await db.models.Contact.create({ email: 'blind@customer.test' });
    const none = await db.models.Contact.create({ email: 'none@customer.test', primaryContactId: new Types.ObjectId() });
    const other = await db.models.Ticket.create({ number: 900, inboxId: s.inboxA, subject: 'Other', requester: { email: 'other@else.test' }, participants: [], createdAt: new Date(), lastActivityAt: new Date() });
    await db.models.Message.create({
      ticketId: other._id, inboxId: s.inboxA, direction: 'outbound', subject: 'Re: Other', from: { address: 'a@desk.test' },
      to: [{ address: 'other@else.test' }], bcc: [{ address: 'blind@customer.test' }], text: 'bcc', createdAt: new Date(), date: new Date(),
    });
    const contacts = await db.models.Contact.find({ _id: { $in: [s.contacts.jane, s.contacts.alias, s.contacts.bob, blind._id, none._id] } }).lean();
    const store = db.stores.personData;
    for (const scope of [[s.inboxA], [s.inboxB], [s.inboxA, s.inboxB], []]) {
      const oneByOne: string[] = [];
      for (const c of contacts) {
        const person = await store.findPerson(c._id);
        // As the contact page's access check decides (contact-access.ts).
        if (person && (await store.listTicketIds(person.addresses, scope)).length > 0) oneByOne.push(c.email);
      }
      const ids = new Set((await store.listContactsWithTickets(contacts, scope)).map(String));
      expect(contacts.filter((c) => ids.has(c._id.toHexString())).map((c) => c.email)).toEqual(oneByOne);
    }
    expect((await store.listContactsWithTickets(contacts, [s.inboxA])).map(String).sort()).toEqual([s.contacts.jane, s.contacts.alias, s.contacts.bob, blind._id].map(String).sort());
  });
});

describe('getPerson', () => {
  it('shows an admin every ticket and message of the person, newest first, and logs the view', async () => {
    const view = await getPerson(deps(), admin, s.contacts.alias.toHexString());
    expect(view.id).toBe(s.contacts.jane.toHexString());
    expect(view.aliases.map((a) => a.email)).toEqual(['jane.roe@work.test']);
    expect(view.tickets.map((t) => t.number)).toEqual([103, 102, 101]);
    expect(view.tickets.find((t) => t.number === 103)).toMatchObject({ requester: false, inboxName: 'Inbox A' });
    expect(view.tickets.find((t) => t.number === 102)).toMatchObject({ requester: true, status: 'closed', inboxName: 'Inbox B' });
    expect(view.ticketTotal).toBe(3);
    expect(view.messages.map((m) => m.id)).toEqual([s.messages.bobCopiesJane, s.messages.fromAlias, s.messages.toJane, s.messages.fromJane]);
    expect(view.messageTotal).toBe(4);
    const fromJane = view.messages.find((m) => m.id === s.messages.fromJane)!;
    expect(fromJane).toMatchObject({ fromPerson: true, ticketNumber: 101, direction: 'inbound' });
    expect(fromJane.attachments).toEqual([{ fileId: s.file.toHexString(), filename: 'invoice.pdf', contentType: 'application/pdf', size: 1234, inline: false }]);
    expect(view.messages.find((m) => m.id === s.messages.toJane)?.fromPerson).toBe(false);
    const logged = await db.models.AccessLog.find({ action: 'contact_viewed', userId: admin.userId }).lean();
    expect(logged).toHaveLength(1);
    expect(logged[0]!.contactId?.equals(s.contacts.jane)).toBe(true);
    // Counts only: nothing of the person in the entry.
    expect(JSON.stringify(logged[0])).not.toMatch(/jane|roe|printer/i);
  });

  it('shows a manager of inbox A only inbox A’s tickets and messages, never inbox B’s', async () => {
    const view = await getPerson(deps(), managerA, s.contacts.jane.toHexString());
    expect(view.tickets.map((t) => t.id).sort()).toEqual([s.tickets.t101, s.tickets.t103].sort());
    expect(view.ticketTotal).toBe(2);
    expect(view.messages.map((m) => m.id).sort()).toEqual([s.messages.fromJane, s.messages.toJane, s.messages.bobCopiesJane].sort());
    const json = JSON.stringify(view);
    expect(json).not.toContain('Secret B');
    expect(json).not.toContain(s.tickets.t102);
    expect(json).not.toContain(s.inboxB.toHexString());
    // The alias address itself is the person's, so it is listed; its mail in inbox B is not.
    expect(view.messages.some((m) => m.id === s.messages.fromAlias)).toBe(false);
  });

  it('shows a manager of inbox B only the alias’s ticket, and Bob only his inbox B ticket', async () => {
    const jane = await getPerson(deps(), managerB, s.contacts.jane.toHexString());
    expect(jane.tickets.map((t) => t.number)).toEqual([102]);
    expect(jane.messages.map((m) => m.id)).toEqual([s.messages.fromAlias]);
    const bob = await getPerson(deps(), managerB, s.contacts.bob.toHexString());
    expect(bob.tickets.map((t) => t.number)).toEqual([104]);
    expect(bob.messages.map((m) => m.id)).toEqual([s.messages.bobInB]);
  });

  it('answers NOT_FOUND to a manager with none of the person’s tickets, and for unknown or malformed ids; FORBIDDEN to agents', async () => {
    const lone = await db.models.Contact.create({ email: 'lone@customer.test' });
    expect((await appErrorFrom(getPerson(deps(), managerA, lone._id.toHexString()))).code).toBe('NOT_FOUND');
    // An admin sees a contact with nothing yet.
    expect((await getPerson(deps(), admin, lone._id.toHexString())).tickets).toEqual([]);
    expect((await appErrorFrom(getPerson(deps(), admin, new Types.ObjectId().toHexString()))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(getPerson(deps(), admin, 'not-an-id'))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(getPerson(deps(), agentA, s.contacts.jane.toHexString()))).code).toBe('FORBIDDEN');
  });
});

describe('searchContacts', () => {
  it('finds contacts by part of the address or name, any case, and scopes a manager to their inboxes’ people', async () => {
    expect((await searchContacts(db.stores, admin, 'ROE')).map((c) => c.email)).toEqual(['jane.roe@work.test', 'jane@customer.test']);
    const alias = (await searchContacts(db.stores, admin, 'work.test'))[0]!;
    expect(alias).toMatchObject({ isAlias: true, personId: s.contacts.jane.toHexString() });
    // Regex characters are text.
    expect(await searchContacts(db.stores, admin, '.*')).toEqual([]);
    expect(await searchContacts(db.stores, admin, '   ')).toEqual([]);
    const bobForB = await searchContacts(db.stores, managerB, 'bob');
    expect(bobForB.map((c) => c.email)).toEqual(['bob@customer.test']);
    expect(await searchContacts(db.stores, managerA, 'lone')).toEqual([]);
    expect((await appErrorFrom(searchContacts(db.stores, agentA, 'bob'))).code).toBe('FORBIDDEN');
    expect(await invalidFields(searchContacts(db.stores, admin, 'x'.repeat(201)))).toEqual(['q']);
    expect(await invalidFields(searchContacts(db.stores, admin, ['a', 'b']))).toEqual(['q']);
  });

  it('Regression: lists a manager 50 of their people when the first 300 matches are people of another inbox', async () => {
    const pad = (i: number) => String(i).padStart(3, '0');
    const ticket = (n: number, inboxId: Types.ObjectId, email: string, extra: Record<string, unknown> = {}) => ({
      number: 1000 + n, inboxId, subject: 'Crowd', requester: { email }, participants: [], createdAt: new Date(), lastActivityAt: new Date(), ...extra,
    });
    // Created first, so the search reads them first: people with tickets only in inbox B.
    const hidden = await db.models.Contact.insertMany(Array.from({ length: 300 }, (_, i) => ({ email: `crowd-hid-${pad(i)}@many.test`, name: `Crowd ${i}` })));
    await db.models.Ticket.insertMany(hidden.map((c, i) => ticket(i, s.inboxB, c.email)));
    // Then people with a ticket in inbox A: as requester, as participant, or through the primary they are an alias of.
    const primary = await db.models.Contact.create({ email: 'elsewhere@other.test', name: 'Primary' });
    const visible = await db.models.Contact.insertMany(
      Array.from({ length: 60 }, (_, i) => ({ email: `crowd-vis-${pad(i)}@many.test`, name: `Crowd ${i}`, ...(i % 20 === 5 ? { primaryContactId: primary._id } : {}) })),
    );
    await db.models.Ticket.insertMany([
      ticket(400, s.inboxA, primary.email),
      ...visible.flatMap((c, i) => (c.primaryContactId ? [] : [i % 2 ? ticket(500 + i, s.inboxA, 'someone@else.test', { participants: [c.email] }) : ticket(500 + i, s.inboxA, c.email)])),
    ]);
    const forA = (await searchContacts(db.stores, managerA, 'crowd')).map((c) => c.email);
    expect(forA).toEqual(visible.slice(0, 50).map((c) => c.email).sort());
    expect(await searchContacts(db.stores, admin, 'crowd')).toHaveLength(50);
    // Inbox B's manager sees the people of inbox B only.
    expect((await searchContacts(db.stores, managerB, 'crowd')).every((c) => c.email.startsWith('crowd-hid-'))).toBe(true);
  });
});

describe('the contact search with a filter', () => {
  it('reads at most FILTERED_SEARCH_READ_MAX matches when few pass the filter, so a text everyone holds costs a bounded time', async () => {
    await db.models.Contact.insertMany(Array.from({ length: FILTERED_SEARCH_READ_MAX + 300 }, (_, i) => ({ email: `capped-${String(i).padStart(4, '0')}@many.test` })));
    let offered = 0;
    const found = await db.stores.contacts.search('capped-', 50, async (rows) => {
      offered += rows.length;
      return [];
    });
    expect(found).toEqual([]);
    expect(offered).toBeGreaterThanOrEqual(FILTERED_SEARCH_READ_MAX);
    expect(offered).toBeLessThan(FILTERED_SEARCH_READ_MAX + 50);
    // Without a filter nothing is read past the 50 it lists.
    expect(await db.stores.contacts.search('capped-', 50)).toHaveLength(50);
  });
});

describe('aliases', () => {
  it('links an address (creating its contact), idempotently, and unlinks it', async () => {
    const linked = await linkAlias(db.stores, admin, s.contacts.bob.toHexString(), { email: ' Bobby@Elsewhere.TEST ' });
    expect(linked).toMatchObject({ email: 'bobby@elsewhere.test', isAlias: true, personId: s.contacts.bob.toHexString() });
    expect(await linkAlias(db.stores, admin, s.contacts.bob.toHexString(), { email: 'bobby@elsewhere.test' })).toEqual(linked);
    const person = await db.stores.personData.findPerson(s.contacts.bob);
    expect(person?.addresses.sort()).toEqual(['bob@customer.test', 'bobby@elsewhere.test']);
    await unlinkAlias(db.stores, admin, s.contacts.bob.toHexString(), linked.id);
    expect((await db.stores.personData.findPerson(s.contacts.bob))?.aliases).toEqual([]);
    expect((await appErrorFrom(unlinkAlias(db.stores, admin, s.contacts.bob.toHexString(), linked.id))).code).toBe('NOT_FOUND');
  });

  it('refuses nesting, stealing another person’s alias, the own address, bad input and non-admins', async () => {
    const bob = s.contacts.bob.toHexString();
    // Jane has an alias, so she cannot become Bob's alias.
    const nested = await appErrorFrom(linkAlias(db.stores, admin, bob, { email: 'jane@customer.test' }));
    expect([nested.code, nested.key]).toEqual(['CONFLICT', 'conflict.aliasHasAliases']);
    const stolen = await appErrorFrom(linkAlias(db.stores, admin, bob, { email: 'jane.roe@work.test' }));
    expect([stolen.code, stolen.key]).toEqual(['CONFLICT', 'conflict.aliasOfAnother']);
    expect(await invalidFields(linkAlias(db.stores, admin, bob, { email: 'bob@customer.test' }))).toEqual(['email']);
    expect(await invalidFields(linkAlias(db.stores, admin, bob, { email: 'not an address' }))).toEqual(['email']);
    expect(await invalidFields(linkAlias(db.stores, admin, bob, { email: `${'x'.repeat(260)}@a.test` }))).toEqual(['email']);
    expect((await appErrorFrom(linkAlias(db.stores, managerA, bob, { email: 'x@y.test' }))).code).toBe('FORBIDDEN');
    expect((await appErrorFrom(unlinkAlias(db.stores, managerA, s.contacts.jane.toHexString(), s.contacts.alias.toHexString()))).code).toBe('FORBIDDEN');
    expect((await appErrorFrom(linkAlias(db.stores, admin, new Types.ObjectId().toHexString(), { email: 'x@y.test' }))).code).toBe('NOT_FOUND');
    // Linking through an alias's id links to its primary: an alias never has aliases.
    const viaAlias = await linkAlias(db.stores, admin, s.contacts.alias.toHexString(), { email: 'jr@third.test' });
    expect(viaAlias.personId).toBe(s.contacts.jane.toHexString());
    expect(await db.stores.contacts.hasAliases(s.contacts.alias)).toBe(false);
    await unlinkAlias(db.stores, admin, s.contacts.jane.toHexString(), viaAlias.id);
  });
});
