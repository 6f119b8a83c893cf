import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TICKET_EVENT_TYPES } from '../../../src/domain/ticket-events.js';
import { createI18n } from '../../../src/i18n/catalog.js';
import { createKbArticle } from '../../../src/services/kb/create-kb-article.js';
import { PSEUDO_LOCALE } from '../../../src/i18n/locales.js';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

/**
 * Every page rendered in the pseudo-locale, where each catalog message comes out accented and
 * bracketed (`Sign in` → `[Šîĝñ îñ]`): a plain English word left on a page, outside the data the
 * test stored, is text that bypassed the catalogs.
 */
let h: Awaited<ReturnType<typeof startPages>>;
let admin: Client;
const inboxId = new Types.ObjectId();
let ticketId = '';
/** A knowledge base article (its page and its history). */
let kbArticleId = '';
let userId = '';
let passwordLink = '';

// Stored data: shown as it is, so never checked. Words made up so no catalog text hides behind them.
const DATA = ['Zorblax Quux', 'zorblax@example.test', 'Vexilla Frob', 'vexilla@example.test', 'Glimmerwick', 'glimmer@example.test', 'Plonk wibble snorf', 'Snorfle the frobnicator', 'wibble', 'Cheerio', 'Threadline',
  // The made-up customer of the auto-reply preview (a customer of the inbox's language, English here).
  'Robin Customer',
  // The requester's domain, which the Spam card offers to block.
  'example.test'];

/** Words no catalog needs to translate: protocol names, IANA zone names, CSS colours. */
const ALLOWED = new Set(['SLA', 'IMAP', 'SMTP', 'TLS', 'STARTTLS', 'API', 'URL', 'HTML', 'CSV', 'JSON', 'UTC', 'GMT', 'INBOX', 'Markdown', 'cron', 'https']);
/** Example host names in placeholders (`imap.example.com`). */
const EXAMPLE_WORDS = new Set(['imap', 'smtp', 'example', 'com', 'org']);
/** Dates are formatted by Intl in the pseudo-locale's language (English): its month names and AM/PM are not catalog text. */
const DATE_WORDS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec', 'ago', 'min', 'yesterday', 'tomorrow', 'now', 'hr', 'day', 'days', 'sec']);
const ZONE_WORDS = new Set(Intl.supportedValuesOf('timeZone').flatMap((z) => z.split(/[/_-]/)));

function decode(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, ' ');
}

/** What a person reads on a page: its text, and the attributes that are read out or shown. */
function readableText(html: string): string {
  const attributes = [...html.matchAll(/\s(?:title|placeholder|aria-label|alt|label)="([^"]*)"/g)].map((m) => m[1]);
  const buttons = [...html.matchAll(/<input[^>]*type="(?:submit|button)"[^>]*value="([^"]*)"/g)].map((m) => m[1]);
  const text = html
    // Code is code: template variables (`{{customer.name}}`) are written as they must be typed.
    .replace(/<(script|style|textarea|code)\b[\s\S]*?<\/\1>/gi, ' ')
    // Content marked as another language (the preview of a customer's mail) is that language's.
    .replace(/<(span|pre|div)\b[^>]*\slang="[^"]*"[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    // Option lists of time zones show IANA names, which stay as they are.
    .replace(/<datalist\b[\s\S]*?<\/datalist>/gi, ' ')
    .replace(/<[^>]+>/g, ' ');
  return decode([text, ...attributes, ...buttons].join(' '));
}

/** Plain-ASCII words of three letters or more that no catalog message produced. */
function englishLeftOn(html: string): string[] {
  let text = readableText(html);
  for (const d of DATA) text = text.split(d).join(' ');
  const words = text.match(/[\p{L}\p{N}_@/-]+/gu) ?? [];
  return [...new Set(words.filter((w) => /^[A-Za-z]{3,}$/.test(w) && !ALLOWED.has(w) && !EXAMPLE_WORDS.has(w) && !DATE_WORDS.has(w) && !ZONE_WORDS.has(w)))];
}

// Visitors (sign-in, password link) get the pseudo-locale from their browser's language.
const realFetch = globalThis.fetch;
vi.stubGlobal('fetch', (input: string | URL | Request, init: RequestInit = {}) =>
  realFetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), 'accept-language': PSEUDO_LOCALE } }),
);

beforeAll(async () => {
  h = await startPages(null, { i18n: createI18n({ pseudo: true }) });
  await h.models.Inbox.create({
    _id: inboxId, name: 'Glimmerwick', address: 'glimmer@example.test', imap: { host: 'imap.example.test', port: 993, folder: 'INBOX', user: 'glimmer' }, smtp: { host: 'smtp.example.test', port: 465, user: 'glimmer' },
  });
  const adminUser = await createUser(h.models, { email: 'zorblax@example.test', password: 'zorblax password 1', role: 'admin', name: 'Zorblax Quux' });
  const agent = await createUser(h.models, { email: 'vexilla@example.test', password: 'vexilla password 1', inboxIds: [inboxId], name: 'Vexilla Frob' });
  userId = agent._id.toHexString();
  await h.models.User.updateMany({}, { $set: { locale: PSEUDO_LOCALE, timeZone: 'Europe/Paris' } });
  const ticket = await h.models.Ticket.create({
    number: 7, inboxId, subject: 'Plonk wibble snorf', requester: { email: 'vexilla@example.test', name: 'Vexilla Frob' }, status: 'open', priority: 'high', assigneeId: agent._id, tags: ['wibble'],
    lastActivityAt: new Date(), sla: { nextResponseDueAt: new Date(Date.now() + 3_600_000) },
  });
  ticketId = ticket._id.toHexString();
  const message = await h.models.Message.create({
    ticketId: ticket._id, inboxId, direction: 'inbound', messageId: 'plonk@example.test', from: { address: 'vexilla@example.test', name: 'Vexilla Frob' },
    subject: 'Plonk wibble snorf', text: 'Snorfle the frobnicator', html: '<p>Snorfle the frobnicator</p>', date: new Date(),
  });
  await h.models.Message.create({ ticketId: ticket._id, inboxId, direction: 'note', messageId: 'note@example.test', from: { address: 'zorblax@example.test', name: 'Zorblax Quux' }, subject: '', text: 'Cheerio', authorId: adminUser._id });
  const at = new Date();
  const system = { kind: 'system' as const, label: 'Threadline' };
  const user = { kind: 'user' as const, id: adminUser._id, label: 'Zorblax Quux' };
  const dataOf: Partial<Record<(typeof TICKET_EVENT_TYPES)[number], Record<string, unknown>>> = {
    message_received: { messageId: message._id },
    status_changed: { from: 'new', to: 'open' },
    priority_changed: { from: 'normal', to: 'high' },
    assigned: { to: agent._id },
    tags_changed: { added: ['wibble'], removed: [] },
    reply_failed: { error: 'DELIVERY_FAILED' },
    auto_reply_suppressed: { reason: 'auto-submitted' },
    sla_reminder: { clock: 'firstResponse' },
    sla_breached: { clock: 'resolution' },
    escalated: { level: 1, clock: 'resolution' },
    participants_capped: { addresses: 60, added: 50, headers: ['to', 'cc'] },
  };
  await h.models.TicketEvent.create(
    TICKET_EVENT_TYPES.filter((type) => !['merged', 'linked', 'related'].includes(type)).map((type) => ({ ticketId: ticket._id, type, actor: type === 'message_received' ? { kind: 'contact' as const, label: 'vexilla@example.test' } : ['note_added', 'status_changed', 'priority_changed', 'assigned', 'tags_changed'].includes(type) ? user : system, at, data: dataOf[type] ?? {} })),
  );
  await h.models.CannedReply.create({ inboxId, title: 'Cheerio', body: 'Cheerio' });
  // A category of the inbox and an archived global one: the settings list and the ticket's select.
  const category = await h.models.Category.create({ name: 'Glimmerwick', inboxId });
  await h.models.Category.create({ name: 'Cheerio', inboxId: null, archived: true });
  // A team with the agent, who is away: the team load's rows and badges, the users list's badge.
  await h.models.Team.create({ name: 'Glimmerwick', level: 'L2', memberIds: [agent._id], inboxIds: [inboxId] });
  await h.models.User.updateOne({ _id: agent._id }, { $set: { away: true, awaySince: new Date() } });
  await h.models.Ticket.updateOne({ _id: ticket._id }, { $set: { categoryId: category._id, impact: 'high', urgency: 'low', priorityOverridden: true } });
  kbArticleId = (await createKbArticle({ ...h.stores, now: () => new Date() }, { userId: null, role: 'admin', inboxIds: [] }, { title: 'Glimmerwick', body: 'Cheerio', language: 'en', tags: ['wibble'] })).id;
  admin = new Client(h.base);
  await admin.login('zorblax@example.test', 'zorblax password 1');
  const userPage = await admin.get(`/settings/users/${userId}`);
  const issued = await admin.post(`/settings/users/${userId}/password-link`, { _csrf: Client.csrf(userPage.text) });
  passwordLink = /\/password\/[A-Za-z0-9_-]+/.exec(decode(issued.text))?.[0] ?? (issued.headers.get('location') ? /\/password\/[A-Za-z0-9_-]+/.exec((await admin.get(issued.headers.get('location')!)).text)?.[0] ?? '' : '');
});
afterAll(async () => {
  vi.unstubAllGlobals();
  await h.close();
});

describe('every page in the pseudo-locale', () => {
  const pages = () => [
    '/', '/tickets', '/tickets?assignee=me', '/tickets?status=pending', '/tickets?due=breached', '/tickets/views', '/tickets/new', `/tickets/${ticketId}`,
    '/account', '/settings', '/settings/digest', '/settings/inboxes', '/settings/inboxes/new', `/settings/inboxes/${inboxId.toHexString()}`,
    `/settings/inboxes/${inboxId.toHexString()}/sla`, `/settings/inboxes/${inboxId.toHexString()}/auto-reply`, `/settings/inboxes/${inboxId.toHexString()}/canned-replies`,
    `/settings/inboxes/${inboxId.toHexString()}/spam-blocks`, '/tickets?status=spam&snoozed=any',
    '/settings/users', '/settings/users/new', `/settings/users/${userId}`, '/settings/categories', '/settings/teams', '/settings/teams/new', '/settings/routing', '/settings/routing/new', '/team-load', '/no-such-page',
    '/kb', '/kb/new', `/kb/${kbArticleId}`, `/kb/${kbArticleId}/edit`, `/kb/${kbArticleId}/revisions`, '/kb/stats', '/settings/kb-categories',
  ];

  it('shows no English outside the stored data, and no raw key', async () => {
    const found: string[] = [];
    for (const path of pages()) {
      const page = await admin.get(path);
      expect([200, 404], path).toContain(page.status);
      if (!page.headers.get('content-type')?.includes('html')) continue;
      expect(page.text, path).toContain(`<html lang="${PSEUDO_LOCALE}">`);
      const left = englishLeftOn(page.text);
      if (left.length > 0) found.push(`${path}: ${left.join(' ')}`);
      // A missing key prints as itself (`tickets.list.heading`), never as a bracketed message.
      const rawKey = readableText(page.text).match(/\b(?:common|web|tickets|settings|mail|errors|kb)[:.][a-z]+\.[a-zA-Z.]+/);
      if (rawKey) found.push(`${path}: raw key ${rawKey[0]}`);
    }
    expect(found).toEqual([]);
  });

  it('shows the sign-in page and a password link page to a visitor without English', async () => {
    const visitor = new Client(h.base);
    const found: string[] = [];
    expect(passwordLink).not.toBe('');
    for (const path of ['/login', passwordLink, '/login?notice=password-set']) {
      const page = await visitor.get(path);
      expect(page.status, path).toBe(200);
      expect(page.text, path).toContain(`<html lang="${PSEUDO_LOCALE}">`);
      const left = englishLeftOn(page.text);
      if (left.length > 0) found.push(`${path}: ${left.join(' ')}`);
    }
    const refused = await visitor.post('/login', { _csrf: Client.csrf((await visitor.get('/login')).text), email: 'nobody@example.test', password: 'wrong password 1', next: '/' });
    const left = englishLeftOn(refused.text);
    if (left.length > 0) found.push(`refused sign-in: ${left.join(' ')}`);
    expect(found).toEqual([]);
  });
});
