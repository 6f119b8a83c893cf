import { createHmac } from 'node:crypto';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SURVEY_LINK_TTL_MS, surveyToken } from '../../../src/domain/satisfaction.js';
import { TICKET_EVENT_TYPES } from '../../../src/domain/ticket-events.js';
import { createI18n } from '../../../src/i18n/catalog.js';
import { createKbArticle } from '../../../src/services/kb/create-kb-article.js';
import { createKbCategory } from '../../../src/services/kb/create-kb-category.js';
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
/** The manager's and the agent's own clients, for the pages as they see them. */
let manager: Client;
let agentClient: Client;
/** The rest of the stored data the newer pages show: a message, a team, a routing rule, a quarantined mail, a ticket in Spam. */
let messageId = '';
let teamId = '';
let routingRuleId = '';
let quarantinedId = '';
let contactId = '';
let spamTicketId = '';
/** The published article's and its category's addresses in the help center, and a survey link's token. */
let kbArticleSlug = '';
let kbCategorySlug = '';
let surveyLink = '';
const sign = (v: string) => createHmac('sha256', 'pseudo-locale-test-key-of-32-chars!!').update(v).digest('hex');

// Stored data: shown as it is, so never checked. Words made up so no catalog text hides behind them.
const DATA = ['Zorblax Quux', 'zorblax@example.test', 'Vexilla Frob', 'vexilla@example.test', 'Glimmerwick', 'glimmer@example.test', 'Plonk wibble snorf', 'Snorfle the frobnicator', 'wibble', 'Cheerio', 'Threadline',
  // The made-up customer of the auto-reply preview (a customer of the inbox's language, English here).
  'Robin Customer',
  // The requester's domain, which the Spam card offers to block.
  'example.test',
  // A partner and the side conversation with it.
  'snorf@example.test', 'Quibble Snorf',
  // A search that finds nothing.
  'Zyxxy',
  // The manager.
  'Frobozz Quux', 'frobozz@example.test'];

/** Words no catalog needs to translate: protocol names, IANA zone names, CSS colours. */
const ALLOWED = new Set(['SLA', 'IMAP', 'SMTP', 'TLS', 'STARTTLS', 'API', 'URL', 'HTML', 'CSV', 'JSON', 'UTC', 'GMT', 'INBOX', 'Markdown', 'cron', 'https']);
/** Example values in placeholders (`imap.example.com`; Microsoft's literal `organizations` tenant). */
const EXAMPLE_WORDS = new Set(['imap', 'smtp', 'example', 'com', 'org', 'organizations']);
/** Dates are formatted by Intl in the pseudo-locale's language (English): its month names and AM/PM are not catalog text. */
const DATE_WORDS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec', 'ago', 'min', 'yesterday', 'tomorrow', 'now', 'hr', 'day', 'days', 'sec']);
/** Intl's relative time for less than a minute ago (`numeric: 'auto'`), not catalog text either. */
const DATE_PHRASES = ['this minute'];
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
    // Content marked as another language (the preview of a customer's mail, a language's own name in a language switch) is that language's.
    .replace(/<(span|pre|div|a)\b[^>]*\slang="[^"]*"[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    // Option lists of time zones show IANA names, which stay as they are.
    .replace(/<datalist\b[\s\S]*?<\/datalist>/gi, ' ')
    .replace(/<[^>]+>/g, ' ');
  return decode([text, ...attributes, ...buttons].join(' '));
}

/** Plain-ASCII words of three letters or more that no catalog message produced. */
function englishLeftOn(html: string): string[] {
  let text = readableText(html);
  for (const d of [...DATA, ...DATE_PHRASES]) text = text.split(d).join(' ');
  const words = text.match(/[\p{L}\p{N}_@/-]+/gu) ?? [];
  return [...new Set(words.filter((w) => /^[A-Za-z]{3,}$/.test(w) && !ALLOWED.has(w) && !EXAMPLE_WORDS.has(w) && !DATE_WORDS.has(w) && !ZONE_WORDS.has(w)))];
}

/** The leaks and raw keys on each of `paths` as `client` sees it (a page may answer 200, 403 or 404). */
async function leaksOn(client: Client, paths: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    const page = await client.get(path);
    expect([200, 403, 404], path).toContain(page.status);
    expect(page.text, path).toContain(`<html lang="${PSEUDO_LOCALE}">`);
    const left = englishLeftOn(page.text);
    if (left.length > 0) found.push(`${path}: ${left.join(' ')}`);
    const rawKey = readableText(page.text).match(/\b(?:common|web|tickets|settings|mail|errors|kb)[:.][a-z]+\.[a-zA-Z.]+/);
    if (rawKey) found.push(`${path}: raw key ${rawKey[0]}`);
  }
  return found;
}

// Visitors (sign-in, password link) get the pseudo-locale from their browser's language; like a browser, every request asks for HTML.
const realFetch = globalThis.fetch;
vi.stubGlobal('fetch', (input: string | URL | Request, init: RequestInit = {}) =>
  realFetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), 'accept-language': PSEUDO_LOCALE, accept: 'text/html,application/xhtml+xml' } }),
);

beforeAll(async () => {
  h = await startPages(null, { i18n: createI18n({ pseudo: true }), sign, quarantine: true });
  await h.models.Inbox.create({
    _id: inboxId, name: 'Glimmerwick', address: 'glimmer@example.test', imap: { host: 'imap.example.test', port: 993, folder: 'INBOX', user: 'glimmer' }, smtp: { host: 'smtp.example.test', port: 465, user: 'glimmer' },
  });
  const adminUser = await createUser(h.models, { email: 'zorblax@example.test', password: 'zorblax password 1', role: 'admin', name: 'Zorblax Quux' });
  const agent = await createUser(h.models, { email: 'vexilla@example.test', password: 'vexilla password 1', inboxIds: [inboxId], name: 'Vexilla Frob' });
  userId = agent._id.toHexString();
  const managerUser = await createUser(h.models, { email: 'frobozz@example.test', password: 'frobozz password 1', role: 'manager', inboxIds: [inboxId], name: 'Frobozz Quux' });
  await h.models.User.updateMany({}, { $set: { locale: PSEUDO_LOCALE, timeZone: 'Europe/Paris' } });
  const ticket = await h.models.Ticket.create({
    number: 7, inboxId, subject: 'Plonk wibble snorf', requester: { email: 'vexilla@example.test', name: 'Vexilla Frob' }, status: 'open', priority: 'high', assigneeId: agent._id, tags: ['wibble'],
    lastActivityAt: new Date(), sla: { nextResponseDueAt: new Date(Date.now() + 3_600_000) },
  });
  ticketId = ticket._id.toHexString();
  contactId = (await h.models.Contact.create({ email: 'vexilla@example.test', name: 'Vexilla Frob' }))._id.toHexString();
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
  teamId = (await h.models.Team.create({ name: 'Glimmerwick', level: 'L2', memberIds: [agent._id], inboxIds: [inboxId] }))._id.toHexString();
  await h.models.User.updateOne({ _id: agent._id }, { $set: { away: true, awaySince: new Date() } });
  await h.models.Ticket.updateOne({ _id: ticket._id }, { $set: { categoryId: category._id, impact: 'high', urgency: 'low', priorityOverridden: true } });
  kbArticleId = (await createKbArticle({ ...h.stores, now: () => new Date() }, { userId: null, role: 'admin', inboxIds: [] }, { title: 'Glimmerwick', body: 'Cheerio', language: 'en', tags: ['wibble'] })).id;
  await addNewerPagesData({ adminId: adminUser._id, agentId: agent._id, managerId: managerUser._id, ticketId: ticket._id, messageId: message._id, categoryId: category._id });
  admin = new Client(h.base);
  await admin.login('zorblax@example.test', 'zorblax password 1');
  manager = await Client.signedIn(h.base, 'frobozz@example.test', 'frobozz password 1');
  agentClient = await Client.signedIn(h.base, 'vexilla@example.test', 'vexilla password 1');
  const userPage = await admin.get(`/settings/users/${userId}`);
  const issued = await admin.post(`/settings/users/${userId}/password-link`, { _csrf: Client.csrf(userPage.text) });
  passwordLink = /\/password\/[A-Za-z0-9_-]+/.exec(decode(issued.text))?.[0] ?? (issued.headers.get('location') ? /\/password\/[A-Za-z0-9_-]+/.exec((await admin.get(issued.headers.get('location')!)).text)?.[0] ?? '' : '');
});
/**
 * What the pages added since the first version of this test show: a routing rule of every condition
 * and action, a quarantined mail, a ticket in Spam, a partner and a side conversation with it, a
 * draft, forwarded mail, notifications of every kind, satisfaction ratings (and a survey link), a
 * saved view, and a published article of a category for the help center.
 */
async function addNewerPagesData(ids: { adminId: Types.ObjectId; agentId: Types.ObjectId; managerId: Types.ObjectId; ticketId: Types.ObjectId; messageId: Types.ObjectId; categoryId: Types.ObjectId }) {
  messageId = ids.messageId.toHexString();
  routingRuleId = (await h.models.RoutingRule.create({
    name: 'Glimmerwick', order: 1, enabled: true, onReplies: true, stop: true,
    conditions: [
      { kind: 'inbox', inboxIds: [inboxId.toHexString()] }, { kind: 'sender', values: ['vexilla@example.test'] }, { kind: 'subject', words: ['wibble'] }, { kind: 'body', words: ['wibble'] },
      { kind: 'header', name: 'X-Wibble', op: 'contains', value: 'wibble' }, { kind: 'attachment' }, { kind: 'language', languages: ['fr'] }, { kind: 'businessHours' },
    ],
    actions: [
      { kind: 'team', teamId }, { kind: 'category', categoryId: ids.categoryId.toHexString() }, { kind: 'impactUrgency', impact: 'high', urgency: 'low' }, { kind: 'tags', tags: ['wibble'] },
      { kind: 'assignee', userId: ids.agentId.toHexString() }, { kind: 'autoAssign', teamId },
    ],
  }))._id.toHexString();
  quarantinedId = (await h.models.Quarantine.create({
    inboxId, reason: 'INGEST_FAILED', contentHash: 'pseudo-quarantine', size: 12_345, detail: 'Snorfle the frobnicator', source: { folder: 'INBOX', uidValidity: '1700000000', uid: 42 }, subject: 'Plonk wibble snorf', from: 'vexilla@example.test',
  }))._id.toHexString();
  spamTicketId = (await h.models.Ticket.create({
    number: 8, inboxId, subject: 'Plonk wibble snorf', requester: { email: 'vexilla@example.test', name: 'Vexilla Frob' }, status: 'spam', spam: { at: new Date(), by: ids.adminId, from: 'open', block: { kind: 'sender', value: 'vexilla@example.test' } },
  }))._id.toHexString();
  await h.models.SpamBlock.create({ inboxId, kind: 'sender', value: 'vexilla@example.test', ticketId: new Types.ObjectId(spamTicketId), by: ids.adminId });
  // A partner, and a side conversation with it: our mail (failed) and the partner's answer.
  const partner = await h.models.Partner.create({ name: 'Quibble Snorf', address: 'snorf@example.test', note: 'Cheerio' });
  const side = await h.models.SideConversation.create({
    ticketId: ids.ticketId, inboxId, kind: 'partner', partnerId: partner._id, subject: 'Plonk wibble snorf', to: [{ address: 'snorf@example.test', name: 'Quibble Snorf' }], participants: ['snorf@example.test'], awaiting: true, createdBy: ids.agentId, lastMessageAt: new Date(),
  });
  await h.models.SideConversation.create({
    ticketId: ids.ticketId, inboxId, kind: 'forward', partnerId: null, subject: 'Plonk wibble snorf', to: [{ address: 'snorf@example.test', name: null }], participants: ['snorf@example.test'], awaiting: false, createdBy: ids.adminId, lastMessageAt: new Date(),
  });
  await h.models.Message.create([
    { ticketId: ids.ticketId, inboxId, sideConversationId: side._id, direction: 'outbound', messageId: 'side-1@example.test', from: { address: 'glimmer@example.test', name: 'Glimmerwick' }, to: [{ address: 'snorf@example.test', name: 'Quibble Snorf' }], subject: 'Plonk wibble snorf', text: 'Snorfle the frobnicator', authorId: ids.agentId, date: new Date(), delivery: { state: 'failed', error: 'DELIVERY_FAILED', at: new Date() } },
    { ticketId: ids.ticketId, inboxId, sideConversationId: side._id, direction: 'inbound', messageId: 'side-2@example.test', from: { address: 'snorf@example.test', name: 'Quibble Snorf' }, subject: 'Plonk wibble snorf', text: 'Cheerio', date: new Date() },
  ]);
  // The admin's draft of a reply to the ticket (the reply box shows it again), and a saved view.
  await h.models.ReplyDraft.create({ userId: ids.adminId, ticketId: ids.ticketId, text: 'Cheerio', cc: ['snorf@example.test'], updatedAt: new Date() });
  await h.models.SavedView.create({ userId: ids.adminId, name: 'Glimmerwick', filters: { status: 'open', tag: 'wibble' } });
  // A notification of every kind, for each of the three, some read.
  const about = { ticketId: ids.ticketId, ticketNumber: 7, ticketSubject: 'Plonk wibble snorf', inboxId };
  const kinds = ['assigned', 'customer_replied', 'mentioned', 'team_new_ticket', 'sla_reminder', 'sla_breached', 'escalated', 'pending_reminder', 'bad_rating'] as const;
  await h.models.Notification.insertMany([ids.adminId, ids.managerId, ids.agentId].flatMap((userId) => kinds.map((kind, i) => ({
    ...about, userId, kind, key: `pseudo-${String(userId)}-${kind}`, at: new Date(Date.now() - i * 3_600_000), mail: 'skipped',
    data: { by: 'Zorblax Quux', teamName: 'Glimmerwick', days: 3, dueAt: new Date(Date.now() + 3_600_000), level: 1, clock: 'resolution', rating: 'bad' },
    ...(i % 2 ? { readAt: new Date() } : {}),
  }))));
  // Solved tickets rated by their customers (the team load's and the ticket's satisfaction), and one survey still open.
  for (const [number, rating] of [[20, 'good'], [21, 'okay'], [22, 'bad'], [23, null]] as const) {
    const solvedAt = new Date(Date.now() - 3_600_000);
    const rated = await h.models.Ticket.create({ number, inboxId, subject: 'Plonk wibble snorf', requester: { email: 'vexilla@example.test', name: 'Vexilla Frob' }, status: 'solved', solvedAt, lastActivityAt: solvedAt, assigneeId: ids.agentId, teamId: new Types.ObjectId(teamId) });
    await h.stores.satisfaction.recordAsked({ ticketId: rated._id, inboxId, teamId: new Types.ObjectId(teamId), assigneeId: ids.agentId, email: 'vexilla@example.test', askedAt: solvedAt, solvedAt });
    if (rating) {
      await h.stores.satisfaction.rate(rated._id, { rating, comment: 'Cheerio', at: new Date() }, solvedAt);
      await h.models.Ticket.updateOne({ _id: rated._id }, { $set: { satisfaction: { rating, at: new Date() } } });
    } else {
      surveyLink = `/satisfaction/${surveyToken(sign, { ticketId: rated._id.toHexString(), solvedAt: solvedAt.getTime(), expiresAt: new Date(Date.now() + SURVEY_LINK_TTL_MS) })}`;
    }
  }
  await h.models.Ticket.updateOne({ _id: ids.ticketId }, { $set: { satisfaction: { rating: 'bad', at: new Date() } } });
  // A published article of a category: the help center's home, category, article and search.
  const kbDeps = { ...h.stores, now: () => new Date() };
  const kbActor = { userId: ids.adminId, role: 'admin' as const, inboxIds: [] };
  const kbCategory = await createKbCategory(kbDeps, kbActor, { name: 'Glimmerwick', language: 'en', description: 'Cheerio' });
  const published = await createKbArticle(kbDeps, kbActor, { title: 'Snorfle the frobnicator', body: 'Cheerio wibble', language: 'en', status: 'published', categoryId: kbCategory.id, tags: ['wibble'] });
  kbArticleSlug = published.slug;
  kbCategorySlug = kbCategory.slug;
}

afterAll(async () => {
  vi.unstubAllGlobals();
  await h.close();
});

describe('every page in the pseudo-locale', () => {
  const pages = () => [
    '/', '/tickets', '/tickets?assignee=me', '/tickets?status=pending', '/tickets?due=breached', '/tickets/views', '/tickets/new', `/tickets/${ticketId}`,
    '/account', '/settings', '/settings/digest', '/settings/inboxes', '/settings/inboxes/new', `/settings/inboxes/${inboxId.toHexString()}`,
    `/settings/inboxes/${inboxId.toHexString()}/sla`, `/settings/inboxes/${inboxId.toHexString()}/auto-reply`, `/settings/inboxes/${inboxId.toHexString()}/canned-replies`,
    `/settings/inboxes/${inboxId.toHexString()}/spam-blocks`, `/settings/inboxes/${inboxId.toHexString()}/oauth`, `/settings/inboxes/${inboxId.toHexString()}/retention`, '/tickets?status=spam&snoozed=any',
    '/settings/users', '/settings/users/new', `/settings/users/${userId}`, '/settings/categories', '/settings/teams', '/settings/teams/new', '/settings/routing', '/settings/routing/new', '/team-load', '/no-such-page',
    '/kb', '/kb/new', `/kb/${kbArticleId}`, `/kb/${kbArticleId}/edit`, `/kb/${kbArticleId}/revisions`, '/kb/stats', '/settings/kb-categories', '/reports',
    // The pages added since: inbox deletion, one team, one routing rule (and its dry run), partners, quarantine, Spam, forward, notifications, side conversations and drafts (on the ticket).
    '/inboxes', `/settings/inboxes/${inboxId.toHexString()}/delete`, `/settings/teams/${teamId}`, `/settings/routing/${routingRuleId}`, `/settings/routing/${routingRuleId}?dryRun=1`,
    '/settings/partners', '/settings/quarantine', `/settings/quarantine/${quarantinedId}`, `/tickets/${spamTicketId}`, '/tickets?status=with_partner',
    `/tickets/${ticketId}/forward`, `/tickets/${ticketId}/forward?message=${messageId}`, '/notifications', `/tickets/${ticketId}?draft=saved`,
    '/kb?q=wibble', '/kb?q=Zyxxy', '/tickets/000000000000000000000000', `/kb/${new Types.ObjectId().toHexString()}`,
    // Personal data: the access log, contacts, one person and their erasure's first step.
    '/settings/access-log', '/contacts', '/contacts?q=vexilla', `/contacts/${contactId}`, `/contacts/${contactId}/erase`,
  ];

  it('shows no English outside the stored data, and no raw key', async () => {
    const found: string[] = [];
    for (const path of pages()) {
      const page = await admin.get(path);
      expect([200, 404], path).toContain(page.status);
      expect(page.headers.get('content-type'), path).toContain('html');
      expect(page.text, path).toContain(`<html lang="${PSEUDO_LOCALE}">`);
      const left = englishLeftOn(page.text);
      if (left.length > 0) found.push(`${path}: ${left.join(' ')}`);
      // A missing key prints as itself (`tickets.list.heading`), never as a bracketed message.
      const rawKey = readableText(page.text).match(/\b(?:common|web|tickets|settings|mail|errors|kb)[:.][a-z]+\.[a-zA-Z.]+/);
      if (rawKey) found.push(`${path}: raw key ${rawKey[0]}`);
    }
    expect(found).toEqual([]);
  });

  it("shows a manager's and an agent's pages without English, their refusals too", async () => {
    const managerPages = [
      '/', '/tickets', `/tickets/${ticketId}`, '/team-load', '/notifications', '/account', '/settings', '/settings/partners', '/settings/teams',
      '/settings/routing', `/settings/routing/${routingRuleId}`, '/settings/categories', '/settings/kb-categories', `/settings/inboxes/${inboxId.toHexString()}`, '/settings/users', '/kb', '/kb/stats', '/settings/quarantine', '/reports',
    ];
    const agentPages = [
      '/', '/tickets', '/tickets?assignee=me', `/tickets/${ticketId}`, `/tickets/${ticketId}/forward`, '/tickets/new', '/tickets/views', '/notifications', '/account', '/kb', `/kb/${kbArticleId}`,
      '/settings', '/team-load', '/settings/partners', '/kb/new', '/reports',
    ];
    const found = [...(await leaksOn(manager, managerPages)), ...(await leaksOn(agentClient, agentPages))];
    expect(found).toEqual([]);
  });

  it('shows the refusals of forms without English', async () => {
    const found: string[] = [];
    const refused: Array<[string, string, Record<string, string>]> = [
      ['/settings/partners', '/settings/partners', { name: '', address: 'not an address', note: '' }],
      [`/tickets/${ticketId}/forward`, `/tickets/${ticketId}/forward`, { address: 'not an address', subject: '', text: '' }],
      ['/settings/teams/new', '/settings/teams', { name: '', level: 'L9' }],
      ['/settings/routing/new', '/settings/routing', { name: '' }],
    ];
    for (const [from, to, form] of refused) {
      const page = await admin.post(to, { _csrf: Client.csrf((await admin.get(from)).text), ...form });
      expect(page.status, to).toBeGreaterThanOrEqual(400);
      const left = englishLeftOn(page.text);
      if (left.length > 0) found.push(`refused ${to}: ${left.join(' ')}`);
    }
    expect(found).toEqual([]);
  });

  it('shows the help center and a satisfaction link to a visitor without English', async () => {
    const visitor = new Client(h.base);
    const found: string[] = [];
    expect((await visitor.get('/help')).headers.get('location')).toBe('/help/en');
    for (const path of ['/help/en', `/help/en/c/${kbCategorySlug}`, `/help/en/${kbArticleSlug}`, `/help/en/${kbArticleSlug}?voted=yes`, '/help/search?lang=en&q=wibble', '/help/search?lang=en&q=Zyxxy', '/help/search?lang=en', '/help/en/no-such-article', '/help/xx/yy/zz']) {
      const page = await visitor.get(path);
      expect([200, 404], path).toContain(page.status);
      expect(page.text, path).toContain(`<html lang="${PSEUDO_LOCALE}">`);
      const left = englishLeftOn(page.text);
      if (left.length > 0) found.push(`${path}: ${left.join(' ')}`);
    }
    expect(surveyLink).not.toBe('');
    for (const path of [`${surveyLink}?rating=good`, '/satisfaction/not-a-token', `${surveyLink.slice(0, -4)}abcd`]) {
      const page = await visitor.get(path);
      expect([200, 400, 410], path).toContain(page.status);
      expect(page.text, path).toContain(`<html lang="${PSEUDO_LOCALE}">`);
      const left = englishLeftOn(page.text);
      if (left.length > 0) found.push(`${path}: ${left.join(' ')}`);
    }
    for (const form of [{ comment: 'Cheerio' }, { rating: 'okay', comment: 'Cheerio' }] as Array<Record<string, string>>) {
      const page = await visitor.post(surveyLink, form);
      const left = englishLeftOn(page.text);
      if (left.length > 0) found.push(`${surveyLink} posted ${JSON.stringify(form)}: ${left.join(' ')}`);
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
