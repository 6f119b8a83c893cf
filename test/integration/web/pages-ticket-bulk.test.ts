import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

// Issue 16, triage: the ticket list's bulk bar, without JavaScript: tick rows, choose an action and a
// value, submit; back on the same list with a notice of what was done and what failed.
let h: Awaited<ReturnType<typeof startPages>>;
let gina: Client;
let ginaId: string;
const support = new Types.ObjectId();
const billing = new Types.ObjectId();
let number = 0;

async function ticket(inboxId: Types.ObjectId, fields: Record<string, unknown> = {}): Promise<string> {
  number += 1;
  const t = await h.models.Ticket.create({ number, inboxId, subject: `Question ${number}`, requester: { email: 'rita@customer.test' }, status: 'open', lastActivityAt: new Date(Date.now() - number * 1000), ...fields });
  return t._id.toHexString();
}
const stored = async (id: string) => (await h.models.Ticket.findById(id).lean())!;
const unescape = (s: string) => s.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&').replace(/&#x27;/g, "'");
/** The notice the list shows after a bulk change, as text. */
const noticeOf = (html: string) => unescape(/<p class="[^"]*bulk-notice" role="status">([^<]*)<\/p>/.exec(html)?.[1] ?? '');

/** Posts the bulk form from the list at `listUrl` and follows the redirect; the redirect's target and the page it shows. */
async function bulk(client: Client, listUrl: string, form: Record<string, string | string[]>, postTo?: string) {
  const page = await client.get(listUrl);
  const action = postTo ?? unescape(/<form class="bulk" method="post" action="([^"]+)"/.exec(page.text)?.[1] ?? '/tickets/bulk');
  const body = new URLSearchParams({ _csrf: Client.csrf(page.text) });
  for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
  const res = await fetch(h.base + action, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    body: body.toString(),
  });
  const location = res.headers.get('location') ?? '';
  return { status: res.status, location, page: res.status === 303 ? await client.get(location) : null };
}

beforeAll(async () => {
  h = await startPages(null);
  const account = { imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } };
  await h.models.Inbox.create([{ _id: support, name: 'Support', address: 'support@bulk.test', ...account }, { _id: billing, name: 'Billing', address: 'billing@bulk.test', ...account }]);
  ginaId = (await createUser(h.models, { email: 'gina@bulk.test', password: 'gina password 123', inboxIds: [support], name: 'Gina' }))._id.toHexString();
  await createUser(h.models, { email: 'rene@bulk.test', password: 'rene password 123', inboxIds: [support], name: 'René' });
  gina = await Client.signedIn(h.base, 'gina@bulk.test', 'gina password 123');
});
afterAll(() => h?.close());

describe('the ticket list bulk bar', () => {
  it('puts the list in a form with a box per row, the actions, their values, and the bar script', async () => {
    const a = await ticket(support);
    const page = await gina.get('/tickets?status=open');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<form class="bulk" method="post" action="/tickets/bulk?status&#x3D;open">');
    expect(page.text).toContain(`<input type="checkbox" name="ids" value="${a}" aria-label="Select ticket #${number}">`);
    // Select-all is the script's: hidden without it.
    expect(page.text).toMatch(/<input type="checkbox" data-select-all hidden aria-label="Select all tickets on this page">/);
    const actions = [...(/<select name="action">([\s\S]*?)<\/select>/.exec(page.text)?.[1] ?? '').matchAll(/<option value="(\w*)">/g)].map((m) => m[1]);
    expect(actions).toEqual(['', 'assign', 'team', 'status', 'priority', 'addTag', 'removeTag', 'merge', 'spam']);
    // The people a ticket of Gina's inboxes can go to, and never the spam status.
    const bar = page.text.slice(page.text.indexOf('<form class="bulk"'));
    expect(/<select name="assigneeId">[\s\S]*?<\/select>/.exec(bar)?.[0]).toMatch(/>Nobody \(unassign\)<[\s\S]*>Gina<[\s\S]*>René</);
    const statuses = [.../<select name="status">([\s\S]*?)<\/select>/.exec(bar)![1]!.matchAll(/value="(\w+)"/g)].map((m) => m[1]);
    expect(statuses).toEqual(['new', 'open', 'pending', 'with_partner', 'solved', 'closed']);
    const script = /<script src="(\/static\/bulk\.js\?v&#x3D;[0-9a-f]{12})" defer><\/script>/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(h.base + unescape(script!));
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await js.text()).toContain('data-select-all');
  });

  it('assigns the ticked tickets and comes back to the same list with a notice naming what failed', async () => {
    const [a, b, hidden] = [await ticket(support), await ticket(support), await ticket(billing)];
    const res = await bulk(gina, '/tickets?status=open&priority=normal', { ids: [a, b, hidden], action: 'assign', assigneeId: ginaId, teamId: '', tag: '' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/tickets?status=open&priority=normal&updated=2&failed=notFound.1');
    expect(noticeOf(res.page!.text)).toBe('2 tickets updated, 1 failed: 1 not found.');
    expect((await stored(a)).assigneeId?.toHexString()).toBe(ginaId);
    expect((await stored(b)).assigneeId?.toHexString()).toBe(ginaId);
    expect((await stored(hidden)).assigneeId ?? null).toBeNull();
    // The filters stay chosen on the page it comes back to.
    expect(res.page!.text).toMatch(/<option value="open" selected>/);

    // "Nobody" unassigns.
    const none = await bulk(gina, '/tickets', { ids: [a], action: 'assign', assigneeId: '' });
    expect(noticeOf(none.page!.text)).toBe('1 ticket updated.');
    expect((await stored(a)).assigneeId ?? null).toBeNull();
  });

  it('solves, tags and merges, and keeps the cursor of the page it was on', async () => {
    const [a, b, c] = [await ticket(support), await ticket(support), await ticket(support)];
    // A form from a later page posts with that page's cursor; the way back keeps it (and nothing else of the query).
    const solved = await bulk(gina, '/tickets', { ids: [a], action: 'status', status: 'solved' }, '/tickets/bulk?status=open&cursor=abc&updated=9&bulkError=none');
    expect(solved.location).toBe('/tickets?status=open&cursor=abc&updated=1');
    expect((await stored(a)).status).toBe('solved');
    await bulk(gina, '/tickets', { ids: [b, c], action: 'addTag', tag: 'Billing-Q4' });
    expect((await stored(b)).tags).toEqual(['billing-q4']);
    const merged = await bulk(gina, '/tickets', { ids: [b, c], action: 'merge', intoId: b });
    expect(noticeOf(merged.page!.text)).toBe('2 tickets updated.');
    expect((await stored(c)).mergedIntoId?.toHexString()).toBe(b);
    const again = await bulk(gina, '/tickets', { ids: [c], action: 'priority', priority: 'high' });
    expect(noticeOf(again.page!.text)).toBe('0 tickets updated, 1 failed: 1 already merged into another ticket.');
  });

  it('says what is missing when nothing is ticked, no action is chosen or the tag is empty', async () => {
    const a = await ticket(support);
    expect(noticeOf((await bulk(gina, '/tickets', { action: 'status', status: 'solved' })).page!.text)).toBe('Select at least one ticket.');
    expect(noticeOf((await bulk(gina, '/tickets', { ids: [a], action: '' })).page!.text)).toBe('Choose an action.');
    const empty = await bulk(gina, '/tickets?status=open', { ids: [a], action: 'addTag', tag: '  ' });
    expect(empty.location).toBe('/tickets?status=open&bulkError=value');
    expect(noticeOf(empty.page!.text)).toBe('Choose a value for this action (a tag cannot be empty).');
    expect((await stored(a)).tags).toEqual([]);
  });

  it('shows the notice in French, and only fixed texts whatever the query says', async () => {
    const hidden = await ticket(billing);
    const a = await ticket(support);
    const fr = new Client(h.base, undefined, { 'accept-language': 'fr' });
    await fr.login('gina@bulk.test', 'gina password 123');
    const res = await bulk(fr, '/tickets', { ids: [a, hidden], action: 'priority', priority: 'high' });
    expect(noticeOf(res.page!.text)).toBe('1 demande mise à jour, 1 en échec\u00a0: 1 introuvable.');
    // A hand-made query names no text of its own: unknown reasons are left out, malformed counts show nothing.
    expect(noticeOf((await gina.get('/tickets?updated=2&failed=%3Cb%3E.1,notFound.2')).text)).toBe('2 tickets updated, 2 failed: 2 not found.');
    expect(noticeOf((await gina.get('/tickets?updated=lots')).text)).toBe('');
  });

  it('refuses a post without the CSRF token', async () => {
    const a = await ticket(support);
    const res = await gina.post('/tickets/bulk', { ids: a, action: 'status', status: 'solved' });
    expect(res.status).toBe(403);
    expect((await stored(a)).status).toBe('open');
  });
});
