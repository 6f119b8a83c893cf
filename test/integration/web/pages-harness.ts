import type { JobScheduler } from '../../../src/services/ports.js';
import { createConnectionChecks } from '../../../src/mail/connection-check.js';
import { renderEmail, validateTemplateOverride } from '../../../src/mail/render-email.js';
import { sanitizeEmailHtml } from '../../../src/mail/sanitize-html.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import type { I18n } from '../../../src/i18n/catalog.js';
import type { RateLimit } from '../../../src/web/rate-limit.js';
import type { LocaleDefaults } from '../../../src/web/pages/page-i18n.js';
import type { Types } from 'mongoose';
import { createUser, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { serve } from '../../helpers/http.js';
import { quarantineScreenDeps } from '../../helpers/ingest.js';
import { compose, noJobs } from '../../helpers/use-case-deps.js';

/** The express app with the pages on port 0, a settable clock, and an optional public URL. */
export async function startPages(publicUrl: string | null, opts: { i18n?: I18n; sign?: (value: string) => string; satisfactionLimit?: RateLimit; quarantine?: boolean; localeDefaults?: LocaleDefaults } = {}) {
  const db = await openTestDb('pages');
  let fixedNow: Date | null = null;
  const now = () => fixedNow ?? new Date();
  const blobs = createBlobStore(db.connection.db!);
  const secrets = createSecretBox(TEST_SECRET_KEY);
  // The recurring jobs the settings pages asked for (digest schedules), by key.
  const recurring = new Map<string, { name: string; cron: string; timeZone: string }>();
  const unexpected = async () => {
    throw new Error('the pages tests schedule no one-off jobs');
  };
  const scheduler: JobScheduler = {
    schedule: unexpected,
    cancelMatching: unexpected,
    replaceMatching: unexpected,
    cancel: async (_name, key) => void recurring.delete(key),
    scheduleRecurring: async (name, opts) => void recurring.set(opts.key, { name, cron: opts.cron, timeZone: opts.timeZone }),
  };
  const app = createApp({
    logger: testLogger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    pages: {
      stores: db.stores, passwords: TEST_PASSWORDS,
      ...(opts.i18n ? { i18n: opts.i18n } : {}),
      ...(opts.satisfactionLimit ? { satisfactionLimit: opts.satisfactionLimit } : {}),
      ...(opts.localeDefaults ? { localeDefaults: opts.localeDefaults } : {}),
      now,
      publicUrl,
      blobs,
      // Replies are never sent here, so only the satisfaction page (`opts.sign`) needs a signer; notifications schedule no mail job here.
      // Replies' and drafts' HTML is sanitized as the composition root wires it.
      actions: { ...db.stores, now, scheduler: noJobs, compose, sign: (opts.sign ?? (() => '')) as never, refreshSla: async () => {}, sanitizeHtml: (html: string) => sanitizeEmailHtml(html).html },
      secrets,
      settings: {
        connectionChecks: createConnectionChecks({ timeoutMs: 5000 }), validateTemplate: validateTemplateOverride, render: renderEmail, scheduler,
        // `/settings/quarantine` when asked for (quarantine-harness.ts has the full set-up).
        ...(opts.quarantine ? { quarantine: quarantineScreenDeps(db, blobs, now) } : {}),
      },
    },
  });
  const server = await serve(app);
  return {
    base: server.base,
    models: db.models,
    stores: db.stores,
    blobs,
    secrets,
    recurring,
    setNow: (d: Date | null) => void (fixedNow = d),
    async close() {
      await server.close();
      await db.drop();
    },
  };
}

/** A browser-like client: keeps cookies, never follows redirects, posts forms. */
export class Client {
  cookies = new Map<string, string>();
  /** `headers`: sent with every request, such as a browser's `accept-language`. */
  constructor(private base: string, private origin?: string, private headers: Record<string, string> = {}) {}

  /** A client signed in with this email and password (throws when the sign-in is refused). */
  static async signedIn(base: string, email: string, password: string): Promise<Client> {
    const client = new Client(base);
    const res = await client.login(email, password);
    if (res.status !== 303) throw new Error(`${email} could not sign in (${res.status})`);
    return client;
  }
  async request(method: string, path: string, form?: Record<string, string>) {
    const headers: Record<string, string> = { ...this.headers, cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (this.origin) headers.origin = this.origin;
    const res = await fetch(this.base + path, { method, headers, redirect: 'manual', body: form ? new URLSearchParams(form).toString() : undefined });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (/Max-Age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, headers: res.headers, text: await res.text(), setCookies: res.headers.getSetCookie() };
  }
  get = (path: string) => this.request('GET', path);
  post = (path: string, form: Record<string, string>) => this.request('POST', path, form);
  /** The hidden `_csrf` value of the last form on a page. */
  static csrf(html: string): string {
    return [...html.matchAll(/name="_csrf" value="([^"]+)"/g)].pop()?.[1] ?? '';
  }
  async login(email: string, password: string) {
    const page = await this.get('/login');
    return this.post('/login', { _csrf: Client.csrf(page.text), email, password, next: '/' });
  }
}

/**
 * One user of each role, signed in with a client of their own: Ada the admin, Max a manager and Gina
 * an agent of `inboxId`. Returns the clients and the agent's id.
 */
export async function signInEveryRole(h: Awaited<ReturnType<typeof startPages>>, inboxId: Types.ObjectId) {
  await createUser(h.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  await createUser(h.models, { email: 'max@example.test', password: 'max password 123', role: 'manager', inboxIds: [inboxId], name: 'Max' });
  const gina = await createUser(h.models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [inboxId], name: 'Gina' });
  const [admin, manager, agent] = [new Client(h.base), new Client(h.base), new Client(h.base)];
  await admin.login('ada@example.test', 'ada password 123');
  await manager.login('max@example.test', 'max password 123');
  await agent.login('gina@example.test', 'gina password 123');
  return { admin, manager, agent, agentId: String(gina._id) };
}

/**
 * The pages on a fresh database with one inbox ("Support", `inboxId`) and Mia, a manager of it,
 * signed in: the setting of most settings-page tests.
 */
export async function startPagesWithManager(inboxId: Types.ObjectId) {
  const h = await startPages(null);
  const account = { imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} };
  await h.models.Inbox.create({ _id: inboxId, name: 'Support', address: 'support@example.test', ...account });
  await createUser(h.models, { email: 'mia@example.test', password: 'mia password 1234', role: 'manager', inboxIds: [inboxId], name: 'Mia' });
  const manager = new Client(h.base);
  const signedIn = await manager.login('mia@example.test', 'mia password 1234');
  if (signedIn.status !== 303) throw new Error(`the manager could not sign in (${signedIn.status})`);
  return { h, manager };
}
