import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_SLA_POLICY } from '../../../src/domain/sla.js';
import { renderEmail } from '../../../src/mail/render-email.js';
import type { ConnectionChecks } from '../../../src/services/inboxes/test-inbox-connection.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import type { Models } from '../../../src/store/models/index.js';
import { createSecretBox, createSigner } from '../../../src/store/secret-box.js';
import { createApiRouter, type ApiDeps } from '../../../src/web/api/router.js';
import { createApp } from '../../../src/web/create-app.js';
import { call, createUser, login, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { compose, noJobs } from '../../helpers/use-case-deps.js';
import { quarantineScreenDeps } from '../../helpers/ingest.js';
import { readFixture } from '../../helpers/mail-fixtures.js';
import { quarantineMail } from '../../../src/services/ingest/quarantine-mail.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;
const ADMIN = { email: 'admin@example.com', password: 'admin password 123' };

let db: Awaited<ReturnType<typeof openTestDb>>;
let models: Models;
let apiDeps: ApiDeps;
let server: Server;
let base: string;
let admin: string;
let doc: Doc;

// The network checks are another test's business (api-inbox-settings); here only their shape matters.
const connectionChecks: ConnectionChecks = {
  imap: async () => ({ ok: true, code: 'OK', message: 'Logged in, INBOX has 2 messages', ms: 12, messages: 2, uidValidity: '1' }),
  smtp: async () => ({ ok: false, code: 'SMTP_AUTH_FAILED', message: 'Authentication failed', ms: 7 }),
};

beforeAll(async () => {
  db = await openTestDb('api_openapi');
  models = db.models;
  const now = () => new Date();
  const scheduler = noJobs;
  const automation = { models, ...db.stores, now, scheduler, compose, sign: createSigner(TEST_SECRET_KEY), render: renderEmail, logger: testLogger, ticketUrlBase: null, refreshSla: async () => {} };
  const blobs = createBlobStore(db.connection.db!);
  apiDeps = { stores: db.stores, passwords: TEST_PASSWORDS, secrets: createSecretBox(TEST_SECRET_KEY), blobs, now, automation, connectionChecks, quarantine: quarantineScreenDeps(db, blobs, now) };
  const app = createApp({ logger: testLogger, health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }), api: apiDeps });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  await createUser(models, { ...ADMIN, role: 'admin', name: 'Ada' });
  admin = await login(base, ADMIN.email, ADMIN.password);
  doc = (await call(base, 'GET', '/openapi.json')).body;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await db.drop();
});

/** Every operation of the document as `METHOD /path` (OpenAPI path templates). */
function documented(): string[] {
  return Object.entries(doc.paths as Record<string, Doc>).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`),
  );
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: unknown;
}

/** Every route an express router serves, found by walking its stack and the stacks of the routers mounted in it. */
function served(stack: Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = `${prefix}${layer.route.path === '/' ? '' : layer.route.path}`.replace(/:(\w+)/g, '{$1}');
      return Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m]).map((m) => `${m.toUpperCase()} ${path}`);
    }
    if (!layer.handle.stack) return [];
    // Express 5's router keeps the mount path of each layer as `rawPath`.
    expect(typeof layer.rawPath).toBe('string');
    return served(layer.handle.stack, layer.rawPath === '/' ? prefix : `${prefix}${String(layer.rawPath)}`);
  });
}

/** Follows a local `$ref` (JSON Pointer, RFC 6901) through the document; undefined when it leads nowhere. */
function resolve(pointer: string): unknown {
  return pointer
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<Doc>((node, key) => (node && typeof node === 'object' ? node[key] : undefined), doc);
}

function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsIn(value, found);
    }
  }
  return found;
}

/** The documented JSON schema of one response, as a zod schema (components become `$defs`). */
function responseSchema(path: string, method: string, status: number) {
  let response = doc.paths[path]?.[method]?.responses?.[status];
  if (response?.$ref) response = resolve(response.$ref);
  const schema = response?.content?.['application/json']?.schema;
  expect(schema, `${method.toUpperCase()} ${path} documents a JSON ${status}`).toBeDefined();
  const asDefs = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll('#/components/schemas/', '#/$defs/'));
  return z.fromJSONSchema({ ...asDefs(schema), $defs: asDefs(doc.components.schemas) });
}

/** Calls the API and checks that the answer has the status and the shape the document gives for it. */
async function conforms(method: string, template: string, url: string, status: number, opts: { body?: unknown; token?: string } = {}) {
  const res = await call(base, method.toUpperCase(), url, { token: opts.token ?? admin, ...(opts.body !== undefined ? { body: opts.body } : {}) });
  expect(res.status, `${method.toUpperCase()} ${url}: ${res.text}`).toBe(status);
  const checked = responseSchema(template, method, status).safeParse(res.body);
  expect(checked.error?.issues ?? [], `${method.toUpperCase()} ${url} answers as documented`).toEqual([]);
  return res.body as Doc;
}

describe('GET /api/v1/openapi.json', () => {
  it('is served without a token, as OpenAPI 3.1.0 with the package version', async () => {
    const res = await call(base, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(res.body).toMatchObject({ openapi: '3.1.0', info: { title: 'Threadline', version: pkg.version }, servers: [{ url: '/api/v1' }] });
    expect(res.body.components.securitySchemes.bearerAuth).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
  });

  it('gives every operation responses, every protected one a 401, and only logging in and this document no token', () => {
    const ops = documented();
    expect(ops.length).toBeGreaterThan(30);
    for (const op of ops) {
      const [method, path] = op.split(' ') as [string, string];
      const operation = doc.paths[path][method.toLowerCase()];
      expect(Object.keys(operation.responses ?? {}).length, op).toBeGreaterThan(0);
      const isPublic = Array.isArray(operation.security) && operation.security.length === 0;
      if (!isPublic) expect(operation.responses['401'], op).toBeDefined();
    }
    const publicOps = ops.filter((op) => {
      const [method, path] = op.split(' ') as [string, string];
      return doc.paths[path][method.toLowerCase()].security?.length === 0;
    });
    expect(publicOps.sort()).toEqual(['GET /help/search', 'GET /openapi.json', 'POST /auth/token']);
  });

  it('resolves every $ref', () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(50);
    for (const ref of new Set(refs)) {
      expect(ref.startsWith('#/'), ref).toBe(true);
      expect(resolve(ref), ref).toBeDefined();
    }
  });

  it('documents the request bodies and list filters of the zod schemas the routes validate with', () => {
    const filters = doc.paths['/tickets'].get.parameters.map((p: { name: string }) => p.name);
    expect(filters).toEqual(expect.arrayContaining(['inbox', 'status', 'assignee', 'team', 'level', 'priority', 'age', 'category', 'tag', 'due', 'q', 'limit', 'cursor']));
    expect(doc.components.schemas.TicketSummary.required).toEqual(expect.arrayContaining(['teamId', 'level', 'categoryId', 'impact', 'urgency']));
    expect(doc.components.schemas.ReplyInput.properties).toHaveProperty('seenUntil');
    expect(doc.components.schemas.TicketUpdate).toMatchObject({ additionalProperties: false, properties: { status: { enum: ['new', 'open', 'pending', 'with_partner', 'solved', 'closed'] } } });
    expect(doc.components.schemas.UserCreate.required).toEqual(['email', 'role']);
  });
});

describe('completeness', () => {
  it('documents every route the API router serves, and nothing else', () => {
    const routes = served((createApiRouter({ ...apiDeps, logger: testLogger }) as unknown as { stack: Layer[] }).stack);
    // The walk must see the optional routers too, or the comparison below would prove little.
    expect(routes).toEqual(expect.arrayContaining(['POST /auth/token', 'GET /tickets', 'POST /tickets/{id}/replies', 'POST /inboxes/{id}/test-connection', 'DELETE /me/tokens/{id}', 'POST /quarantine/{id}/ingest']));
    expect([...new Set(routes)].sort()).toEqual(documented().sort());
  });

  it('has a handler behind every documented operation', async () => {
    // A token of its own, since DELETE /auth/token revokes the token it is called with.
    const throwaway = await login(base, ADMIN.email, ADMIN.password);
    for (const op of documented()) {
      const [method, template] = op.split(' ') as [string, string];
      const url = template.replace(/\{\w+\}/g, () => new Types.ObjectId().toHexString());
      const token = op === 'DELETE /auth/token' ? throwaway : admin;
      const res = await call(base, method, url, { token, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) });
      const generic = res.status === 404 && String(res.body?.error?.message).startsWith('No route for');
      expect(generic, `${op} → ${res.status} ${res.text}`).toBe(false);
      expect(res.status, `${op} → ${res.text}`).toBeLessThan(500);
    }
  });
});

describe('real responses match their documented schema', () => {
  let inboxId: string;
  let ticketId: string;
  let otherTicketId: string;

  beforeAll(async () => {
    const inbox = await conforms('post', '/inboxes', '/inboxes', 201, {
      body: {
        name: 'Support',
        address: 'support@example.com',
        imap: { host: 'imap.example.com', port: 993, secure: true, user: 'support', password: 'imap secret' },
        smtp: { host: 'smtp.example.com', port: 465, secure: true },
        options: { importSince: '2026-01-01' },
      },
    });
    inboxId = inbox.id;
    await models.InboxStatus.create({ _id: new Types.ObjectId(inboxId), state: 'idle', lastSyncAt: new Date(), behind: 0, backlog: { total: 10, done: 10 }, updatedAt: new Date() });
    const ticket = await models.Ticket.create({ number: 1, inboxId, subject: 'Printer on fire', requester: { email: 'ann@example.org', name: 'Ann' }, status: 'open', tags: ['fire'] });
    ticketId = ticket._id.toHexString();
    const fileId = (await apiDeps.blobs.put(Buffer.from('%PDF-1.4'), { filename: 'report.pdf', contentType: 'application/pdf' })).id;
    const message = await models.Message.create({
      ticketId: ticket._id, inboxId, direction: 'inbound', messageId: '<m1@example.org>', subject: 'Printer on fire', text: 'Help',
      from: { address: 'ann@example.org', name: 'Ann' }, to: [{ address: 'support@example.com' }],
      attachments: [{ fileId, filename: 'report.pdf', contentType: 'application/pdf', size: 8, sha256: 'x', inline: false }],
    });
    await models.TicketEvent.create([
      { ticketId: ticket._id, type: 'created', actor: { kind: 'system' }, data: { via: 'imap' } },
      { ticketId: ticket._id, type: 'message_received', actor: { kind: 'contact', label: 'ann@example.org' }, data: { messageId: message._id } },
    ]);
    otherTicketId = (await models.Ticket.create({ number: 2, inboxId, subject: 'Still on fire', requester: { email: 'ann@example.org' }, status: 'new' }))._id.toHexString();
  });

  it('for the caller, tokens and users', async () => {
    await conforms('post', '/auth/token', '/auth/token', 201, { body: { ...ADMIN, label: 'CI' } });
    const created = { id: (await models.ApiToken.findOne({ label: 'CI' }).lean())!._id.toHexString() };
    await conforms('get', '/me', '/me', 200);
    await conforms('patch', '/me', '/me', 200, { body: { timeZone: 'Europe/Paris' } });
    // Away: `awaySince` becomes a date on /me, the user list and the team load.
    expect((await conforms('patch', '/me', '/me', 200, { body: { away: true } })).away).toBe(true);
    await conforms('get', '/me', '/me', 200);
    // A token cannot mint tokens: personal ones are made in a signed-in browser.
    await conforms('post', '/me/tokens', '/me/tokens', 403, { body: { label: 'CI' } });
    await conforms('get', '/me/tokens', '/me/tokens', 200);
    const user = await conforms('post', '/users', '/users', 201, { body: { email: 'bob@example.com', role: 'agent', inboxIds: [inboxId] } });
    await conforms('get', '/users', '/users', 200);
    await conforms('patch', '/users/{id}', `/users/${user.id}`, 200, { body: { name: 'Bob' } });
    await conforms('post', '/users/{id}/password-link', `/users/${user.id}/password-link`, 201);
    expect((await call(base, 'DELETE', `/me/tokens/${created.id}`, { token: admin })).status).toBe(204);
    // Notifications: the caller's mail switches and in-app list.
    await conforms('get', '/me/notification-settings', '/me/notification-settings', 200);
    await conforms('patch', '/me/notification-settings', '/me/notification-settings', 200, { body: { assigned: false, team_new_ticket: null } });
    await conforms('patch', '/me/notification-settings', '/me/notification-settings', 400, { body: { weekly_digest: true } });
    const me = (await models.User.findOne({ email: ADMIN.email }).lean())!;
    await models.Notification.create({ userId: me._id, kind: 'mentioned', key: 'openapi-1', ticketId: new Types.ObjectId(), ticketNumber: 7, ticketSubject: 'Printer on fire', inboxId: new Types.ObjectId(), at: new Date(), data: { by: 'Bob' }, mail: 'skipped' });
    const listed = await conforms('get', '/notifications', '/notifications', 200);
    expect(await conforms('post', '/notifications/read', '/notifications/read', 200, { body: { ids: [listed.items[0].id] } })).toEqual({ marked: 1 });
    expect((await conforms('get', '/notifications', '/notifications', 200)).items[0]).toMatchObject({ read: true, readAt: expect.any(String) });
    await conforms('post', '/notifications/read', '/notifications/read', 400, { body: {} });
  });

  it('for inboxes, their SLA, canned replies and connection test', async () => {
    const listed = await conforms('get', '/inboxes', '/inboxes', 200);
    expect(listed.items[0].status).toMatchObject({ state: 'idle', backlog: { total: 10, done: 10 } });
    await conforms('patch', '/inboxes/{id}', `/inboxes/${inboxId}`, 200, { body: { displayName: 'Support team' } });
    await conforms('get', '/inboxes/{id}/sla', `/inboxes/${inboxId}/sla`, 200);
    await conforms('put', '/inboxes/{id}/sla', `/inboxes/${inboxId}/sla`, 200, {
      body: {
        targets: Object.fromEntries(['low', 'normal', 'high', 'urgent'].map((p) => [p, { firstResponseSeconds: 3600, nextResponseSeconds: null, resolutionSeconds: 86_400 }])),
        businessHours: { timeZone: 'Europe/Berlin', weekly: [{ day: 1, open: '09:00', close: '17:00' }], holidays: ['2026-12-25'] },
        ladder: [{ level: 1, name: 'Lead', userIds: [], afterSeconds: 0 }],
      },
    });
    // A calendar kept while business hours are off goes in and comes back out, in the documented shape.
    const kept = { timeZone: 'Europe/Paris', weekly: [{ day: 2, open: '08:00', close: '12:00' }], holidays: ['2026-07-14'] };
    await conforms('put', '/inboxes/{id}/sla', `/inboxes/${inboxId}/sla`, 200, { body: { targets: DEFAULT_SLA_POLICY.targets, businessHours: null, keptBusinessHours: kept } });
    expect((await conforms('get', '/inboxes/{id}/sla', `/inboxes/${inboxId}/sla`, 200)).policy).toMatchObject({ businessHours: null, keptBusinessHours: kept });
    // Targets of a support level of their own, in the documented shape both ways.
    const levelTargets = { L2: { ...DEFAULT_SLA_POLICY.targets, urgent: { firstResponseSeconds: 900, nextResponseSeconds: null, resolutionSeconds: 7200 } } };
    await conforms('put', '/inboxes/{id}/sla', `/inboxes/${inboxId}/sla`, 200, { body: { targets: DEFAULT_SLA_POLICY.targets, levelTargets } });
    expect((await conforms('get', '/inboxes/{id}/sla', `/inboxes/${inboxId}/sla`, 200)).policy).toMatchObject({ levelTargets });
    const reply = await conforms('post', '/inboxes/{id}/canned-replies', `/inboxes/${inboxId}/canned-replies`, 201, { body: { title: 'Hello', body: 'Hi {{customer.name}}' } });
    await conforms('get', '/inboxes/{id}/canned-replies', `/inboxes/${inboxId}/canned-replies`, 200);
    await conforms('get', '/tickets/{id}/canned-replies/{replyId}', `/tickets/${ticketId}/canned-replies/${reply.id}`, 200);
    // Retention: off by default, then a policy and its preview (cutoff a date-time), and a preview not saved.
    expect((await conforms('get', '/inboxes/{id}/retention', `/inboxes/${inboxId}/retention`, 200)).preview).toMatchObject({ cutoff: null, tickets: 0 });
    await conforms('put', '/inboxes/{id}/retention', `/inboxes/${inboxId}/retention`, 200, { body: { months: 24, action: 'anonymise' } });
    await conforms('post', '/inboxes/{id}/retention/preview', `/inboxes/${inboxId}/retention/preview`, 200, { body: { months: 1, action: 'delete' } });
    await conforms('put', '/inboxes/{id}/retention', `/inboxes/${inboxId}/retention`, 400, { body: { months: 0, action: 'delete' } });
    await conforms('put', '/inboxes/{id}/retention', `/inboxes/${inboxId}/retention`, 200, { body: { months: null, action: 'anonymise' } });
    const tested = await conforms('post', '/inboxes/{id}/test-connection', `/inboxes/${inboxId}/test-connection`, 200);
    expect(tested.imap).toMatchObject({ ok: true, messages: 2 });
  });

  it('for tickets and their actions', async () => {
    const page = await conforms('get', '/tickets', '/tickets?status=open,new&tag=fire&limit=1', 200);
    expect(page.items.map((t: { id: string }) => t.id)).toEqual([ticketId]);
    const detail = await conforms('get', '/tickets/{id}', `/tickets/${ticketId}`, 200);
    expect(detail.messages[0].attachments).toHaveLength(1);
    expect(detail.events).toHaveLength(2);
    // The caller's own unread mark: opening it read it; marked unread, the list says so.
    expect((await conforms('post', '/tickets/{id}/unread', `/tickets/${ticketId}/unread`, 200)).unread).toBe(true);
    expect((await conforms('get', '/tickets', '/tickets?status=open,new&tag=fire&limit=1', 200)).items[0].unread).toBe(true);
    expect(await conforms('post', '/tickets/{id}/read', `/tickets/${ticketId}/read`, 200)).toEqual({ id: ticketId, unread: false });
    await conforms('patch', '/tickets/{id}', `/tickets/${ticketId}`, 200, { body: { priority: 'high', tags: ['fire', 'urgent'] } });
    const category = await conforms('post', '/categories', '/categories', 201, { body: { name: 'Incident', inboxId: null } });
    await conforms('get', '/categories', '/categories', 200);
    const classified = await conforms('patch', '/tickets/{id}', `/tickets/${ticketId}`, 200, { body: { impact: 'high', urgency: 'medium', categoryId: category.id, priorityOverridden: false } });
    expect(classified).toMatchObject({ categoryId: category.id, impact: 'high', urgency: 'medium', priority: 'high', priorityOverridden: false });
    await conforms('patch', '/categories/{id}', `/categories/${category.id}`, 200, { body: { archived: true } });
    await conforms('post', '/categories', '/categories', 409, { body: { name: 'Incident' } });
    await conforms('post', '/tickets/{id}/notes', `/tickets/${ticketId}/notes`, 201, { body: { text: 'Calling the fire brigade' } });
    await conforms('get', '/tickets/{id}/requester-tickets', `/tickets/${ticketId}/requester-tickets`, 200);
    const conflict = await conforms('post', '/tickets/{id}/replies', `/tickets/${ticketId}/replies`, 409, { body: { text: 'On it', seenUntil: '2020-01-01T00:00:00.000Z' } });
    expect(conflict.error.details.items[0].kind).toBe('customer_message');
    await conforms('post', '/tickets/{id}/replies', `/tickets/${ticketId}/replies`, 202, { body: { text: 'On it', status: 'pending' } });
    const survivor = await conforms('post', '/tickets/{id}/merge', `/tickets/${otherTicketId}/merge`, 200, { body: { intoId: ticketId } });
    expect(survivor.id).toBe(ticketId);
    const me = await conforms('get', '/me', '/me', 200);
    await conforms('patch', '/tickets/{id}', `/tickets/${ticketId}`, 200, { body: { assigneeId: me.id } });
    const load = await conforms('get', '/teams/load', '/teams/load', 200);
    expect(load.noTeam.agents.map((a: { id: string; counts: { total: number } }) => [a.id, a.counts.total])).toEqual([[me.id, 1]]);
  });

  it('for the quarantine', async () => {
    const raw = readFixture('quarantine/customer-question.eml');
    const put = (reason: string) => quarantineMail({ quarantine: db.stores.quarantine, blobs: apiDeps.blobs, now: () => new Date() }, { inboxId: new Types.ObjectId(inboxId), raw, contentHash: `${reason}-hash`, reason, detail: 'x', source: null });
    const [failing, refused] = [(await put('INGEST_FAILED')).toHexString(), (await put('NOTIFICATION_REPLY_REFUSED')).toHexString()];
    // The tickets above were written with numbers 1 and 2 by hand; ingest numbers after them.
    await models.Counter.updateOne({ _id: 'ticket' }, { $max: { seq: 100 } }, { upsert: true });
    const page = await conforms('get', '/quarantine', '/quarantine?limit=1', 200);
    expect(page.nextCursor).toEqual(expect.any(String));
    await conforms('get', '/quarantine', `/quarantine?cursor=${encodeURIComponent(page.nextCursor)}`, 200);
    await conforms('get', '/quarantine', '/quarantine?cursor=bad', 400);
    await conforms('get', '/quarantine/{id}', `/quarantine/${refused}`, 200);
    await conforms('post', '/quarantine/{id}/ingest', `/quarantine/${refused}/ingest`, 409);
    const ingested = await conforms('post', '/quarantine/{id}/ingest', `/quarantine/${failing}/ingest`, 200);
    expect(ingested.outcome).toBe('ingested');
    await conforms('get', '/quarantine/{id}', `/quarantine/${failing}`, 404);
    expect((await call(base, 'DELETE', `/quarantine/${refused}`, { token: admin })).status).toBe(204);
  });

  it('for the knowledge base and the public help search', async () => {
    const category = await conforms('post', '/kb/categories', '/kb/categories', 201, { body: { name: 'Compte', language: 'fr' } });
    await conforms('get', '/kb/categories', '/kb/categories?language=fr', 200);
    await conforms('patch', '/kb/categories/{id}', `/kb/categories/${category.id}`, 200, { body: { position: 2 } });
    const article = await conforms('post', '/kb/articles', '/kb/articles', 201, { body: { title: 'Réinitialisation du mot de passe', body: 'Ouvrez **Compte**.', language: 'fr', categoryId: category.id, status: 'published' } });
    await conforms('patch', '/kb/articles/{id}', `/kb/articles/${article.id}`, 200, { body: { body: 'Ouvrez *Compte*.' } });
    await conforms('get', '/kb/articles/{id}', `/kb/articles/${article.id}`, 200);
    await conforms('get', '/kb/articles', '/kb/articles?q=reinitialiser', 200);
    await conforms('get', '/kb/articles/{id}/revisions', `/kb/articles/${article.id}/revisions`, 200);
    await conforms('post', '/kb/articles/{id}/revisions/{number}/restore', `/kb/articles/${article.id}/revisions/1/restore`, 200);
    const found = await conforms('get', '/help/search', '/help/search?q=r%C3%A9initialiser&lang=fr', 200);
    expect(found.items).toHaveLength(1);
    await conforms('post', '/kb/articles/{id}/archive', `/kb/articles/${article.id}/archive`, 200);
    await conforms('delete', '/kb/categories/{id}', `/kb/categories/${category.id}`, 409);
  });

  it('for digests and errors', async () => {
    await conforms('put', '/digests/schedule', '/digests/schedule', 200, { body: { enabled: true, cron: '0 8 * * 1-5', timeZone: 'UTC' } });
    await conforms('get', '/digests/schedule', '/digests/schedule', 200);
    await conforms('post', '/digests/send-now', '/digests/send-now', 202);
    const invalid = await conforms('patch', '/tickets/{id}', `/tickets/${ticketId}`, 400, { body: { status: 'gone' } });
    expect(invalid.error.details.issues[0].path).toBe('status');
    await conforms('get', '/tickets/{id}', `/tickets/${new Types.ObjectId().toHexString()}`, 404);
    const unauthenticated = await call(base, 'GET', '/me');
    expect(unauthenticated.status).toBe(401);
    expect(responseSchema('/me', 'get', 401).safeParse(unauthenticated.body).success).toBe(true);
  });
});
