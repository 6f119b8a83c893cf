import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEmail, validateTemplateOverride } from '../../../src/mail/render-email.js';
import type { ConnectionChecks } from '../../../src/services/inboxes/test-inbox-connection.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import type { Models } from '../../../src/store/models/index.js';
import { createSecretBox, createSigner } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import { createUser, login, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { serve } from '../../helpers/http.js';
import { seededRandom } from '../../helpers/random.js';
import { Client } from './pages-harness.js';
import { compose, noJobs } from '../../helpers/use-case-deps.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

/**
 * Walks every API operation (from the OpenAPI document) and every page route (from the express
 * router stack) as an admin and as an agent with malformed input, and expects no 5xx anywhere.
 * The inputs are drawn from a fixed seed, so a failure names a request that can be replayed.
 */

const SEED = 20_261_206;
const VARIANTS_PER_ROUTE = 7;
const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;
const ADMIN = { email: 'fuzz-admin@example.test', password: 'fuzz admin password 1' };
const AGENT = { email: 'fuzz-agent@example.test', password: 'fuzz agent password 1' };

const HUGE = 'x'.repeat(200_000);
/** Path segments that are not the id a route expects. */
const BAD_IDS = ['nope', 'zzzzzzzzzzzzzzzzzzzzzzzz', '__proto__', 'constructor', 'toString', '%E0%A4%A', '%00', '..%2F..%2Fetc', '-1', '1e309', 'a'.repeat(3000), '%F0%9F%92%A9', '65f1a2b3c4d5e6f7a8b9c0d1'];
/** Query strings with prototype keys, repeated keys, broken escapes and absurd values. */
const ODD_QUERIES = [
  '?error=constructor&saved=__proto__',
  '?error=__proto__&saved=constructor&notice=toString',
  '?__proto__[polluted]=1&constructor[prototype][x]=1',
  '?status=open&status=closed&priority[]=x&assignee=nope&inbox=__proto__',
  '?cursor=%%%&limit=-1&page=1e309&q=%E0%A4%A',
  `?q=${'q'.repeat(6000)}&limit=99999999999999999999`,
  '?limit=abc&cursor=zzzz&sort=__proto__&order=constructor&canned=constructor&images=__proto__',
  '?next=//evil.test&v=__proto__&token=constructor',
];
/** Field values of a wrong type or an absurd size, for JSON bodies. */
const WRONG_VALUES: unknown[] = [null, true, -1, Number.MAX_VALUE, 0.1, 'x', '', HUGE.slice(0, 5000), [], [1, 'a', null], {}, { __proto__: { admin: true } }, { constructor: { prototype: { admin: true } } }, 'zzzzzzzzzzzzzzzzzzzzzzzz', '2026-13-45T99:99:99Z'];
/** Whole JSON bodies that are not what any route expects. */
const ODD_JSON = ['{"a":', '[]', '"text"', 'null', '42', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', `{"x":"${'y'.repeat(50_000)}"}`, '\u0000', '{"a":1}{"b":2}'];
/** Form values: text, prototype names, broken escapes, huge strings. */
const FORM_VALUES = ['', 'x', 'on', '__proto__', 'constructor', '-1', '1e309', 'zzzzzzzzzzzzzzzzzzzzzzzz', '2026-13-45', '99:99-00:00', '{{#each @root}}{{/each}}', '<script>', 'a'.repeat(20_000)];

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every page route as `[METHOD, path]`, from the router stack (the pages mount their routers without a path). */
function pageRoutes(stack: Layer[]): Array<[string, string]> {
  return stack.flatMap((layer): Array<[string, string]> => {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      const methods = Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m] && m !== '_all');
      return paths.flatMap((p) => methods.map((m): [string, string] => [m.toUpperCase(), p]));
    }
    return layer.handle.stack ? pageRoutes(layer.handle.stack) : [];
  });
}

let db: Awaited<ReturnType<typeof openTestDb>>;
let models: Models;
let base: string;
let close: () => Promise<void>;
let doc: Doc;
let routerStack: Layer[];
const ids: Record<string, string> = {};
const failures: string[] = [];
let requests = 0;
const statuses = new Map<number, number>();

const connectionChecks: ConnectionChecks = {
  imap: async () => ({ ok: false, code: 'IMAP_UNREACHABLE', message: 'not in this test', ms: 1 }),
  smtp: async () => ({ ok: false, code: 'SMTP_UNREACHABLE', message: 'not in this test', ms: 1 }),
};

async function send(method: string, path: string, init: { headers?: Record<string, string>; body?: string | Buffer } = {}) {
  requests += 1;
  let res: Response;
  try {
    res = await fetch(base + path, { method, headers: init.headers, body: init.body, redirect: 'manual' });
  } catch (err) {
    failures.push(`${method} ${path.slice(0, 200)}: no response (${String(err)})`);
    return { status: 0, text: '' };
  }
  const text = await res.text();
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  // A message table looked up by a query key without an own-property check shows Object.prototype's members.
  const leaked = /\[object Object\]|\[native code\]/.test(text);
  if (res.status >= 500 || leaked) {
    const { cookie: _cookie, authorization: _auth, ...headers } = init.headers ?? {};
    failures.push(`${method} ${path.slice(0, 160)} ${JSON.stringify(headers)} ${String(init.body ?? '').slice(0, 120)} → ${res.status}${leaked ? ' showing a prototype member' : ''}`);
  }
  return { status: res.status, text };
}

/** A real id for a parameter where one fits, so the malformed body reaches the use case. */
function realId(path: string, param: string): string {
  if (param === 'replyId') return ids.canned!;
  if (/\/inboxes\/[:{]id/.test(path)) return ids.inbox!;
  if (/\/tickets\/[:{]id/.test(path)) return ids.ticket!;
  if (/\/users\/[:{]id/.test(path)) return ids.victim!;
  return new Types.ObjectId().toHexString();
}

function fillPath(path: string, rnd: () => number, useReal: boolean): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  return path.replace(/\{(\w+)\}|:(\w+)|\*(\w+)/g, (_m, a: string | undefined, b: string | undefined) => {
    const param = a ?? b ?? '';
    return useReal && param ? realId(path, param) : pick(BAD_IDS);
  });
}

/** The property names of an operation's JSON body, from the document's schemas. */
function bodyProperties(op: Doc): string[] {
  const ref: unknown = op?.requestBody?.content?.['application/json']?.schema?.$ref;
  if (typeof ref !== 'string') return [];
  const schema = doc.components.schemas[ref.split('/').pop()!];
  return Object.keys(schema?.properties ?? {});
}

/** A value of roughly the schema's shape whose strings are all odd, so a body gets past the shape checks. */
function shaped(schema: Doc, rnd: () => number, depth = 0): unknown {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  if (!schema || depth > 6) return null;
  if (schema.$ref) return shaped(doc.components.schemas[String(schema.$ref).split('/').pop()!], rnd, depth + 1);
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return shaped(pick(alternatives), rnd, depth + 1);
  if (schema.enum) return rnd() < 0.8 ? pick(schema.enum) : 'not-in-enum';
  const type = Array.isArray(schema.type) ? pick(schema.type.filter((t: string) => t !== 'null')) : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, shaped(v, rnd, depth + 1)]));
    case 'array':
      return [shaped(schema.items, rnd, depth + 1), shaped(schema.items, rnd, depth + 1)];
    case 'integer':
    case 'number':
      return pick([0, 1, -1, 2 ** 53, 0.5, 86_400]);
    case 'boolean':
      return rnd() < 0.5;
    default:
      return pick(['nope', '', 'zzzzzzzzzzzzzzzzzzzzzzzz', '__proto__', 'a@b', 'Mars/Olympus', '2026-02-30', '{{#each @root}}x{{/each}}', new Types.ObjectId().toHexString(), 'x'.repeat(3000)]);
  }
}

function apiBodies(props: string[], rnd: () => number, op?: Doc): Array<{ headers: Record<string, string>; body: string | Buffer }> {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const json = { 'content-type': 'application/json' };
  const wrongTypes = JSON.stringify(Object.fromEntries([...props, '__proto__', 'constructor'].map((p) => [p, pick(WRONG_VALUES)])));
  const hugeStrings = JSON.stringify(Object.fromEntries(props.map((p) => [p, HUGE.slice(0, 20_000 + Math.floor(rnd() * 100_000))])));
  const schema = op?.requestBody?.content?.['application/json']?.schema;
  return [
    ...(schema ? [{ headers: json, body: JSON.stringify(shaped(schema, rnd)) }, { headers: json, body: JSON.stringify(shaped(schema, rnd)) }] : []),
    { headers: json, body: pick(ODD_JSON) },
    { headers: json, body: wrongTypes },
    { headers: json, body: hugeStrings },
    { headers: { 'content-type': 'application/json; charset=klingon' }, body: '{"a":1}' },
    { headers: { 'content-type': 'application/json', 'content-encoding': 'x-unknown' }, body: '{"a":1}' },
    { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: Buffer.from('not gzip at all') },
    { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '__proto__[admin]=1&a=%E0%A4%A' },
    { headers: { 'content-type': 'application/json; charset=utf-16' }, body: '{"a":1}' },
  ];
}

function formBodies(names: string[], csrf: string, rnd: () => number): Array<{ headers: Record<string, string>; body: string | Buffer }> {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const fields = (extra: string[] = []) => {
    const p = new URLSearchParams({ _csrf: csrf });
    for (const n of [...names, ...extra]) {
      p.append(n, pick(FORM_VALUES));
      if (rnd() < 0.2) p.append(n, pick(FORM_VALUES));
    }
    return p.toString();
  };
  return [
    { headers: form, body: fields(['__proto__', 'constructor', 'hasOwnProperty']) },
    { headers: form, body: fields() },
    { headers: form, body: `_csrf=${csrf}&a=%E0%A4%A&%=%%&==&&` },
    { headers: { 'content-type': 'application/x-www-form-urlencoded; charset=klingon' }, body: `_csrf=${csrf}&a=1` },
    { headers: { ...form, 'content-encoding': 'x-unknown' }, body: `_csrf=${csrf}&a=1` },
    { headers: { 'content-type': 'application/json' }, body: `{"_csrf":"${csrf}","__proto__":{"admin":true}}` },
    { headers: form, body: fields().replace(/=[^&]*/g, `=${'z'.repeat(10_000)}`) },
  ];
}

beforeAll(async () => {
  db = await openTestDb('fuzz_routes');
  models = db.models;
  const now = () => new Date();
  const scheduler = noJobs;
  const actions = { models, ...db.stores, now, scheduler, compose, sign: createSigner(TEST_SECRET_KEY), render: renderEmail, logger: testLogger, ticketUrlBase: null, refreshSla: async () => {} };
  const secrets = createSecretBox(TEST_SECRET_KEY);
  const blobs = createBlobStore(db.connection.db!);
  const app = createApp({
    logger: testLogger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    api: { stores: db.stores, passwords: TEST_PASSWORDS, secrets, blobs, now, automation: actions, validateTemplate: validateTemplateOverride, connectionChecks },
    pages: { stores: db.stores, passwords: TEST_PASSWORDS, now, publicUrl: null, blobs, actions, secrets, settings: { connectionChecks, validateTemplate: validateTemplateOverride, render: renderEmail, scheduler } },
  });
  routerStack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  const server = await serve(app);
  base = server.base;
  close = server.close;

  const inboxId = new Types.ObjectId();
  const account = { imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} };
  await models.Inbox.create({ _id: inboxId, name: 'Fuzz', address: 'fuzz@example.test', ...account });
  await createUser(models, { ...ADMIN, role: 'admin', name: 'Admin' });
  await createUser(models, { ...AGENT, inboxIds: [inboxId], name: 'Agent' });
  const victim = await createUser(models, { email: 'victim@example.test', password: 'victim password 12', inboxIds: [inboxId] });
  const ticket = await models.Ticket.create({ number: 1, inboxId, subject: 'Fuzz me', requester: { email: 'customer@example.test' }, status: 'open', lastActivityAt: new Date() });
  await models.Message.create({ ticketId: ticket._id, inboxId, direction: 'inbound', from: { address: 'customer@example.test' }, text: 'hello', ingestState: 'complete', flags: { autoSubmitted: false, bounce: false } });
  const canned = await models.CannedReply.create({ inboxId, title: 'Hi', body: 'Hello {{customer.name}}' });
  Object.assign(ids, { inbox: inboxId.toHexString(), ticket: ticket._id.toHexString(), victim: victim._id.toHexString(), canned: canned._id.toHexString() });
  doc = await (await fetch(`${base}/api/v1/openapi.json`)).json();
}, 60_000);

afterAll(async () => {
  await close();
  await db.drop();
});

describe('fuzzing every route with malformed input', () => {
  it('answers every API operation with a 4xx, never a 5xx, as an admin and as an agent', async () => {
    const rnd = seededRandom(SEED);
    const operations = Object.entries(doc.paths as Record<string, Doc>).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), path, op: item[m] })));
    expect(operations.length).toBeGreaterThan(30);
    for (const who of [ADMIN, AGENT]) {
      let token = await login(`${base}/api/v1`, who.email, who.password);
      for (const { method, path, op } of operations) {
        const bodies = apiBodies(bodyProperties(op), rnd, op);
        for (let v = 0; v < VARIANTS_PER_ROUTE; v++) {
          const url = `/api/v1${fillPath(path, rnd, v % 2 === 0)}${v < ODD_QUERIES.length && v > 0 ? ODD_QUERIES[(v + Math.floor(rnd() * ODD_QUERIES.length)) % ODD_QUERIES.length] : ''}`;
          const extra = method === 'GET' ? { headers: {} as Record<string, string>, body: undefined } : bodies[v < 2 ? v : (v + Math.floor(rnd() * bodies.length)) % bodies.length]!;
          await send(method, url, { headers: { ...extra.headers, authorization: `Bearer ${token}` }, ...(extra.body === undefined ? {} : { body: extra.body }) });
          if (method === 'DELETE' && path === '/auth/token') token = await login(`${base}/api/v1`, who.email, who.password);
        }
      }
      // Every body trick once more on a route that reads a body, and odd headers on the public ones.
      for (const b of apiBodies(['email', 'password'], rnd)) await send('POST', '/api/v1/auth/token', b);
      await send('GET', '/api/v1/me', { headers: { authorization: 'Bearer \u00ff\u00fe' } });
      await send('GET', '/api/v1/me', { headers: { authorization: `Bearer ${'A'.repeat(8000)}` } });
      await send('GET', '/api/v1/me', { headers: { authorization: 'Basic __proto__' } });
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('answers every page route with a page or a 4xx, never a 5xx, as an admin and as an agent', async () => {
    const rnd = seededRandom(SEED + 1);
    const routes = pageRoutes(routerStack).filter(([, path]) => !path.startsWith('/api/') && path !== '/healthz');
    expect(routes.length).toBeGreaterThan(40);

    for (const who of [ADMIN, AGENT]) {
      const client = new Client(base);
      expect((await client.login(who.email, who.password)).status).toBe(303);
      const cookie = () => [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      let csrf = Client.csrf((await client.get('/account')).text);
      // The form field names the pages really use, so the fuzzed forms reach the use cases.
      const names = new Set<string>();
      for (const [method, path] of routes) {
        if (method !== 'GET') continue;
        const page = await send('GET', fillPath(path, rnd, true), { headers: { cookie: cookie() } });
        await send('GET', `${fillPath(path, rnd, true)}?error=constructor&saved=constructor`, { headers: { cookie: cookie() } });
        await send('GET', `${fillPath(path, rnd, true)}?error=__proto__&saved=toString`, { headers: { cookie: cookie() } });
        for (const m of page.text.matchAll(/name="([\w.[\]-]+)"/g)) if (m[1] !== '_csrf') names.add(m[1]!);
      }
      expect(names.size).toBeGreaterThan(20);
      for (const [method, path] of routes) {
        const bodies = formBodies([...names].filter(() => rnd() < 0.5), csrf, rnd);
        for (let v = 0; v < VARIANTS_PER_ROUTE; v++) {
          const url = `${fillPath(path, rnd, v % 2 === 0)}${v > 0 ? ODD_QUERIES[(v + Math.floor(rnd() * ODD_QUERIES.length)) % ODD_QUERIES.length] : ''}`;
          if (method === 'GET') await send('GET', url, { headers: { cookie: cookie() } });
          else {
            const b = bodies[(v + Math.floor(rnd() * bodies.length)) % bodies.length]!;
            await send(method, url, { headers: { ...b.headers, cookie: cookie() }, body: b.body });
          }
        }
        if (path === '/logout') {
          expect((await client.login(who.email, who.password)).status).toBe(303);
          csrf = Client.csrf((await client.get('/account')).text);
        }
      }
      await send('GET', '/account', { headers: { cookie: 'tl_session=%E0%A4%A; __proto__=1; constructor=x' } });
      await send('GET', '/tickets', { headers: { cookie: `tl_session=${'a'.repeat(4000)}` } });
    }
    expect(requests).toBeLessThan(20_000);
    // The walk reached the handlers: pages rendered, and use cases refused input with a 4xx.
    expect(statuses.get(200)).toBeGreaterThan(50);
    expect(statuses.get(400)).toBeGreaterThan(50);
    expect(failures).toEqual([]);
  }, 300_000);
});
