import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, signInEveryRole, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let roles: Awaited<ReturnType<typeof signInEveryRole>>;
const inboxId = new Types.ObjectId();
let ticketId: string;
let fileId: string;

/** The ids of the rows on an access log page, by their ticket links. */
const ticketLinks = (html: string) => [...html.matchAll(/<a href="\/tickets\/([0-9a-f]{24})">#(\d+)<\/a>/g)].map((m) => Number(m[2]));
const main = (html: string) => html.slice(html.indexOf('<main'), html.indexOf('</main>'));

beforeAll(async () => {
  h = await startPages(null);
  const account = { imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} };
  await h.models.Inbox.create({ _id: inboxId, name: 'Support', address: 'support@example.test', ...account });
  roles = await signInEveryRole(h, inboxId);
  const ticket = await h.models.Ticket.create({ number: 12, inboxId, subject: 'My parcel never came', requester: { email: 'zoe@example.org', name: 'Zoë' }, status: 'open' });
  ticketId = ticket._id.toHexString();
  const file = (await h.blobs.put(Buffer.from('receipt'), { filename: 'x', contentType: 'application/pdf' })).id as unknown as Types.ObjectId;
  fileId = file.toHexString();
  await h.models.Message.create({
    ticketId: ticket._id, inboxId, direction: 'inbound', from: { address: 'zoe@example.org', name: 'Zoë' }, to: [{ address: 'support@example.test' }], subject: 'My parcel never came', text: 'Where is it?',
    attachments: [{ fileId: file, filename: 'receipt.pdf', contentType: 'application/pdf', size: 7, sha256: 'x', inline: false }],
  });
});
afterAll(() => h?.close());

describe('/settings/access-log', () => {
  it('shows an admin who opened a ticket page and downloaded its attachment, newest first', async () => {
    expect((await roles.agent.get(`/tickets/${ticketId}`)).status).toBe(200);
    const download = await roles.agent.get(`/attachments/${fileId}`);
    expect(download.status).toBe(200);
    expect((await roles.agent.get('/tickets')).status).toBe(200);

    const page = await roles.admin.get('/settings/access-log');
    expect(page.status).toBe(200);
    const html = main(page.text);
    expect(html.indexOf('Downloaded an attachment')).toBeGreaterThan(0);
    expect(html.indexOf('Downloaded an attachment')).toBeLessThan(html.indexOf('Opened a ticket</span>'));
    expect(ticketLinks(html)).toEqual([12, 12]);
    expect(html).toContain('Gina');
    expect(html).not.toContain('receipt.pdf');
  });

  it('is linked from the settings index for admins, and refused to managers and agents', async () => {
    expect((await roles.admin.get('/settings')).text).toContain('href="/settings/access-log"');
    expect((await roles.manager.get('/settings')).text).not.toContain('href="/settings/access-log"');
    for (const who of [roles.manager, roles.agent]) expect((await who.get('/settings/access-log')).status).toBe(403);
    expect((await new Client(h.base).get('/settings/access-log')).status).toBe(303);
  });

  it('filters with a plain form (no script) that keeps its values', async () => {
    await roles.admin.get(`/tickets/${ticketId}`);
    const byAction = main((await roles.admin.get(`/settings/access-log?action=attachment_downloaded&ticket=%2312`)).text);
    expect(byAction).toMatch(/<form class="filters[^"]*" method="get" action="\/settings\/access-log">/);
    expect(byAction).toContain('<option value="attachment_downloaded" selected>');
    expect(byAction).toContain('value="#12"');
    expect(ticketLinks(byAction)).toEqual([12]);
    const byUser = main((await roles.admin.get(`/settings/access-log?user=${roles.agentId}&action=ticket_viewed`)).text);
    expect(ticketLinks(byUser)).toEqual([12]);
    expect(byUser).toContain(`<option value="${roles.agentId}" selected>`);
    const none = main((await roles.admin.get('/settings/access-log?ticket=999')).text);
    expect(none).toContain('No entry matches this filter.');
    expect(none).toContain('href="/settings/access-log">Clear the filter');
  });

  it('answers a bad filter with 400 naming the field, keeping the form', async () => {
    const res = await roles.admin.get('/settings/access-log?from=someday&action=ticket_viewed');
    expect(res.status).toBe(400);
    expect(res.text).toContain('role="alert"');
    expect(res.text).toMatch(/from: must be a date and time/);
    expect(res.text).toContain('<option value="ticket_viewed" selected>');
    expect(res.text).not.toContain('Nothing recorded yet');
  });

  it('pages 50 entries at a time with older and newest links', async () => {
    const base = Date.now() - 3_600_000;
    for (let i = 0; i < 60; i++) await h.stores.accessLog.record({ at: new Date(base - i * 1000), userId: null, action: 'retention_applied', inboxId, detail: `anonymised=${i}` });
    const first = main((await roles.admin.get('/settings/access-log?action=retention_applied')).text);
    expect((first.match(/<time datetime/g) ?? []).length).toBe(50);
    const older = /<a rel="next" href="([^"]+)">Older<\/a>/.exec(first)?.[1]?.replaceAll('&amp;', '&').replaceAll('&#x3D;', '=');
    expect(older).toMatch(/^\/settings\/access-log\?action=retention_applied&cursor=/);
    const second = main((await roles.admin.get(older!)).text);
    expect((second.match(/<time datetime/g) ?? []).length).toBe(10);
    expect(second).toMatch(/anonymised(=|&#x3D;)59</);
    expect(second).not.toMatch(/anonymised(=|&#x3D;)49</);
    expect(second).not.toContain('rel="next"');
    expect(second).toMatch(/<a href="\/settings\/access-log\?action(=|&#x3D;)retention_applied">Newest<\/a>/);
    expect(second).toContain('System');
  });

  it('lays out for a phone: every cell labelled, nothing styled inline, no script needed', async () => {
    const html = main((await roles.admin.get('/settings/access-log')).text);
    const cells = html.match(/<td[^>]*>/g) ?? [];
    expect(cells.length).toBeGreaterThan(0);
    for (const cell of cells) expect(cell).toMatch(/data-label="[^"]+"/);
    expect(html).toContain('<table class="tickets access-log">');
    expect(html).not.toMatch(/style=|<script|onclick/i);
  });

  it('speaks French to a French admin', async () => {
    const fr = new Client(h.base, undefined, { 'accept-language': 'fr-FR,fr;q=0.9' });
    await fr.login('ada@example.test', 'ada password 123');
    const page = await fr.get('/settings/access-log?action=ticket_viewed');
    expect(page.text).toContain('Journal des accès');
    expect(page.text).toContain('A ouvert une demande');
    expect(page.text).toContain('Toutes les actions');
    const bad = await fr.get('/settings/access-log?action=nope');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('doit être l’une de ces valeurs\u202f:');
  });
});
