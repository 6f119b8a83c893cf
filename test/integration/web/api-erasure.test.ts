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
let manager: string;

/** Whether an answer matches the documented JSON schema of its response (components become `$defs`). */
function conforms(body: unknown, path: string, method: string, status: number) {
  const doc = openApiDocument() as Doc;
  const schema = doc.paths[path]?.[method]?.responses?.[status]?.content?.['application/json']?.schema;
  expect(schema, `${method.toUpperCase()} ${path} documents a JSON ${status}`).toBeDefined();
  const asDefs = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll('#/components/schemas/', '#/$defs/'));
  expect(z.fromJSONSchema({ ...asDefs(schema), $defs: asDefs(doc.components.schemas) }).safeParse(body).error?.issues ?? []).toEqual([]);
}

beforeAll(async () => {
  h = await startApi('api_erasure');
  s = await seedPeople(h.models);
  await createUser(h.models, { email: 'admin@desk.test', password: 'admin password 123', role: 'admin' });
  await createUser(h.models, { email: 'ma@desk.test', password: 'manager password 123', role: 'manager', inboxIds: [s.inboxA] });
  admin = await login(h.base, 'admin@desk.test', 'admin password 123');
  manager = await login(h.base, 'ma@desk.test', 'manager password 123');
});
afterAll(async () => h.close());

describe('/api/v1/contacts/{id}/erasure', () => {
  it('previews, refuses what is not confirmed, erases once, and answers the same when asked again', async () => {
    const path = `/contacts/${s.contacts.alias.toHexString()}/erasure`;
    const refused = await call(h.base, 'GET', path, { token: manager });
    expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    expect((await call(h.base, 'POST', path, { token: manager, body: { confirmAddress: 'jane@customer.test', confirm: true } })).status).toBe(403);

    const preview = await call(h.base, 'GET', path, { token: admin });
    expect(preview.status).toBe(200);
    conforms(preview.body, '/contacts/{id}/erasure', 'get', 200);
    expect(preview.body).toMatchObject({ contactId: s.contacts.jane.toHexString(), state: null, counts: { tickets: 3, messages: 3, attachments: 1, contacts: 2 } });

    const unconfirmed = await call(h.base, 'POST', path, { token: admin, body: { confirmAddress: 'jane@customer.test' } });
    expect(unconfirmed.status).toBe(400);
    expect(JSON.stringify(unconfirmed.body)).toContain('confirm');
    const typo = await call(h.base, 'POST', path, { token: admin, body: { confirmAddress: 'jane@customer', confirm: true } });
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.body)).toContain('confirmAddress');
    const hostile = await call(h.base, 'POST', path, { token: admin, body: { confirmAddress: 'x'.repeat(5000), confirm: true } });
    expect(hostile.status).toBe(400);
    expect((await h.models.Contact.findById(s.contacts.jane).lean())!.email).toBe('jane@customer.test');

    const erased = await call(h.base, 'POST', path, { token: admin, body: { confirmAddress: 'Jane@Customer.test', confirm: true } });
    expect(erased.status).toBe(200);
    conforms(erased.body, '/contacts/{id}/erasure', 'post', 200);
    expect(erased.body).toMatchObject({ state: 'done', counts: { tickets: 3, messages: 3 } });
    expect((await h.models.Contact.findById(s.contacts.jane).lean())!.email).toBe(`erased-${s.contacts.jane.toHexString()}@invalid`);

    const again = await call(h.base, 'POST', path, { token: admin, body: {} });
    expect(again).toMatchObject({ status: 200, body: { state: 'done' } });
    expect(await h.models.AccessLog.countDocuments({ action: 'person_erased' })).toBe(1);
    const after = await call(h.base, 'GET', path, { token: admin });
    expect(after.body).toMatchObject({ state: 'done', addresses: [] });
  });
});
