import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiDocument } from '../../../src/web/api/openapi.js';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';
import { seedPeople } from '../services/contacts/person-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

let h: ApiHarness;
let s: Awaited<ReturnType<typeof seedPeople>>;
let admin: string;
let managerA: string;
let managerB: string;
let agentA: string;

/** The documented JSON schema of one response, as a zod schema (components become `$defs`). */
function documented(path: string, method: string, status: number) {
  const doc = openApiDocument() as Doc;
  const schema = doc.paths[path]?.[method]?.responses?.[status]?.content?.['application/json']?.schema;
  expect(schema, `${method.toUpperCase()} ${path} documents a JSON ${status}`).toBeDefined();
  const asDefs = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll('#/components/schemas/', '#/$defs/'));
  return z.fromJSONSchema({ ...asDefs(schema), $defs: asDefs(doc.components.schemas) });
}

function conforms(body: unknown, path: string, method: string, status: number) {
  expect(documented(path, method, status).safeParse(body).error?.issues ?? []).toEqual([]);
}

beforeAll(async () => {
  h = await startApi('api_contacts');
  s = await seedPeople(h.models);
  await createUser(h.models, { email: 'admin@desk.test', password: 'admin password 123', role: 'admin' });
  await createUser(h.models, { email: 'ma@desk.test', password: 'manager password 123', role: 'manager', inboxIds: [s.inboxA] });
  await createUser(h.models, { email: 'mb@desk.test', password: 'manager password 123', role: 'manager', inboxIds: [s.inboxB] });
  await createUser(h.models, { email: 'agent@desk.test', password: 'agent password 123', inboxIds: [s.inboxA] });
  admin = await login(h.base, 'admin@desk.test', 'admin password 123');
  managerA = await login(h.base, 'ma@desk.test', 'manager password 123');
  managerB = await login(h.base, 'mb@desk.test', 'manager password 123');
  agentA = await login(h.base, 'agent@desk.test', 'agent password 123');
});
afterAll(() => h.close());

describe('GET /contacts and /contacts/{id}', () => {
  it('searches and shows a person as documented, scoped for managers, refused to agents', async () => {
    const found = await call(h.base, 'GET', '/contacts?q=jane', { token: admin });
    expect(found.status).toBe(200);
    conforms(found.body, '/contacts', 'get', 200);
    expect(found.body.items.map((c: { email: string }) => c.email)).toEqual(['jane.roe@work.test', 'jane@customer.test']);

    const person = await call(h.base, 'GET', `/contacts/${s.contacts.jane.toHexString()}`, { token: admin });
    expect(person.status).toBe(200);
    conforms(person.body, '/contacts/{id}', 'get', 200);
    expect(person.body.ticketTotal).toBe(3);

    const forA = await call(h.base, 'GET', `/contacts/${s.contacts.jane.toHexString()}`, { token: managerA });
    expect(forA.status).toBe(200);
    expect(forA.body.tickets.map((t: { number: number }) => t.number).sort()).toEqual([101, 103]);
    expect(forA.text).not.toContain('Secret B');
    const forB = await call(h.base, 'GET', `/contacts/${s.contacts.alias.toHexString()}`, { token: managerB });
    expect(forB.body.tickets.map((t: { number: number }) => t.number)).toEqual([102]);
    expect(forB.text).not.toContain('Printer A');

    expect((await call(h.base, 'GET', '/contacts?q=jane', { token: agentA })).status).toBe(403);
    expect((await call(h.base, 'GET', `/contacts/${s.contacts.jane.toHexString()}`, { token: agentA })).status).toBe(403);
    expect((await call(h.base, 'GET', '/contacts/nope', { token: admin })).status).toBe(404);
    expect((await call(h.base, 'GET', `/contacts/${s.contacts.jane.toHexString()}`)).status).toBe(401);
    const tooLong = await call(h.base, 'GET', `/contacts?q=${'x'.repeat(201)}`, { token: admin });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details.issues[0].path).toBe('q');
    const logged = await h.models.AccessLog.countDocuments({ action: 'contact_viewed' });
    expect(logged).toBe(3);
  });
});

describe('POST and DELETE /contacts/{id}/aliases', () => {
  it('links and unlinks an alias (admins), with named errors for bad input', async () => {
    const bob = s.contacts.bob.toHexString();
    const linked = await call(h.base, 'POST', `/contacts/${bob}/aliases`, { token: admin, body: { email: 'Bob@Home.test' } });
    expect(linked.status).toBe(201);
    conforms(linked.body, '/contacts/{id}/aliases', 'post', 201);
    expect(linked.body).toMatchObject({ email: 'bob@home.test', isAlias: true, personId: bob });
    const person = await call(h.base, 'GET', `/contacts/${bob}`, { token: admin });
    expect(person.body.addresses.sort()).toEqual(['bob@customer.test', 'bob@home.test']);

    expect((await call(h.base, 'POST', `/contacts/${bob}/aliases`, { token: managerA, body: { email: 'x@y.test' } })).status).toBe(403);
    const bad = await call(h.base, 'POST', `/contacts/${bob}/aliases`, { token: admin, body: { email: 'nope', extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['email', 'extra']);
    expect((await call(h.base, 'POST', `/contacts/${bob}/aliases`, { token: admin, body: '{not json' })).status).toBe(400);
    const taken = await call(h.base, 'POST', `/contacts/${bob}/aliases`, { token: admin, body: { email: 'jane.roe@work.test' } });
    expect(taken.status).toBe(409);

    expect((await call(h.base, 'DELETE', `/contacts/${bob}/aliases/${linked.body.id}`, { token: managerA })).status).toBe(403);
    expect((await call(h.base, 'DELETE', `/contacts/${bob}/aliases/${linked.body.id}`, { token: admin })).status).toBe(204);
    expect((await call(h.base, 'DELETE', `/contacts/${bob}/aliases/${linked.body.id}`, { token: admin })).status).toBe(404);
  });
});
