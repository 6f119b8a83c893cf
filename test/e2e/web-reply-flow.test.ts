import { mkdirSync, mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../src/mail/parse-mail.js';
import { hashPassword } from '../../src/store/passwords.js';
import { startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { createImapInbox } from '../helpers/inbox.js';
import { rawMail } from '../helpers/mail.js';
import { startRuntime } from '../helpers/runtime.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

// The README's screenshots are refreshed with UPDATE_SCREENSHOTS=1; an ordinary run writes to a temp folder.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS ? path.resolve(import.meta.dirname, '../../templates/web/screenshots') : mkdtempSync(path.join(tmpdir(), 'tl-shots-'));
const SUPPORT = 'support@web.example.test';

let dovecot: DovecotServer;
let smtp: TestSmtp;
let app: Awaited<ReturnType<typeof startRuntime>>;
let browser: Browser;
let base: string;

/** A customer's HTML mail, with a remote image and a script the UI must never load or run. */
function htmlMail(messageId: string, subject: string): Buffer {
  return Buffer.from(
    [
      'From: Ann Customer <ann@customer.test>',
      `To: ${SUPPORT}`,
      `Subject: ${subject}`,
      `Date: ${new Date().toUTCString()}`,
      `Message-ID: <${messageId}>`,
      'Return-Path: <ann@customer.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello, the printer on floor 3 is on fire again. Can you help?',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>Hello,</p><p>the printer on <b>floor 3</b> is on fire again. Can you help?</p><img src="https://tracker.example/pixel.gif"><script>parent.document.title="owned"</script>',
      '--b1--',
      '',
    ].join('\r\n'),
  );
}

beforeAll(async () => {
  dovecot = await startDovecot([SUPPORT]);
  smtp = await startSmtp();
  app = await startRuntime('webui', ['web', 'poller', 'jobs']);
  base = `http://127.0.0.1:${(app.servers[0]!.address() as AddressInfo).port}`;
  const box = await createImapInbox(app.models, { address: SUPPORT, port: dovecot.port, password: dovecot.password });
  await app.models.Inbox.updateOne({ _id: box._id }, { $set: { name: 'Customer Support', smtp: { host: '127.0.0.1', port: smtp.port, secure: false }, 'autoReply.enabled': false } });
  await app.models.User.create({ email: 'agnes@web.example.test', name: 'Agnes Agent', role: 'agent', inboxIds: [box._id], passwordHash: await hashPassword('agnes password 123') });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await smtp?.close();
  await dovecot?.stop();
});

describe('the browser UI end to end (Dovecot → poller → page → reply → SMTP)', () => {
  it('logs in, opens the inbox and the ticket, replies, and the reply leaves threaded', async () => {
    await dovecot.append(SUPPORT, rawMail({ from: 'Bob Buyer <bob@customer.test>', to: SUPPORT, messageId: 'invoice@customer.test', subject: 'Invoice #4411 shows the wrong VAT', headers: ['Return-Path: <bob@customer.test>'] }));
    await dovecot.append(SUPPORT, htmlMail('fire@customer.test', 'Printer on fire'));
    await expect.poll(() => app.models.Ticket.countDocuments({}), { timeout: 20_000 }).toBe(2);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const remote: string[] = [];
    page.on('request', (r) => void (r.url().startsWith(base) || r.url().startsWith('data:') || remote.push(r.url())));

    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'login.png') });
    await page.fill('input[name=email]', 'agnes@web.example.test');
    await page.fill('input[name=password]', 'agnes password 123');
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/`);
    await expect.poll(() => page.locator('.inbox h2').textContent()).toBe('Customer Support');
    expect(await page.locator('.counts dd').first().textContent()).toBe('2');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'inbox-list.png'), fullPage: true });

    await page.click('.inbox h2 a');
    await page.waitForURL(/\/tickets\?inbox=/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'ticket-list.png'), fullPage: true });
    await page.getByRole('link', { name: 'Printer on fire' }).click();
    await page.waitForURL(/\/tickets\/[0-9a-f]{24}$/);
    const frame = page.frameLocator('iframe.mail-body');
    await expect.poll(() => frame.locator('b').textContent()).toBe('floor 3');
    expect(await page.title()).not.toBe('owned');

    // The reply editor (assets/editor.js) stands in for the textarea, which it keeps filled.
    await page.fill('form[action$="/reply"] .reply-editor-content', 'Hi Ann, a technician is on the way with an extinguisher.');
    await page.click('form[action$="/reply"] button[type=submit]');
    await page.waitForURL(/\/tickets\/[0-9a-f]{24}(#end)?$/);
    await expect.poll(() => page.locator('.msg.outbound .text').textContent()).toContain('technician is on the way');
    await page.fill('form[action$="/note"] textarea[name=text]', 'Facilities informed, ticket FAC-2231.');
    await page.click('form[action$="/note"] button[type=submit]');
    await expect.poll(() => page.locator('.msg.note .text').textContent()).toContain('FAC-2231');
    // A viewport as tall as the page: a full-page capture of a shorter one re-lays out the mail frame mid-shot.
    await page.setViewportSize({ width: 1280, height: await page.evaluate<number>('document.documentElement.scrollHeight') });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'ticket-view.png') });

    await expect.poll(() => smtp.received.filter((m) => m.rcptTo.includes('ann@customer.test')).length, { timeout: 20_000 }).toBe(1);
    const sent = await parseMail(smtp.received.find((m) => m.rcptTo.includes('ann@customer.test'))!.raw, { maxBytes: 1e6 });
    expect(sent.inReplyTo).toEqual(['fire@customer.test']);
    expect(sent.references).toContain('fire@customer.test');
    expect(sent.text).toContain('technician is on the way');
    // The customer's mail quoted below the reply (the inbox's quoteHistory is on by default): its text, never its HTML.
    expect(sent.text).toMatch(/Ann Customer <ann@customer\.test> wrote:\n> Hello, the printer on floor 3 is on fire again\. Can you help\?/);
    expect(sent.html).toMatch(/wrote:<\/p><blockquote type="cite"[^>]*><p[^>]*>Hello, the printer on floor 3 is on fire again\. Can you help\?<\/p><\/blockquote>/);
    expect(sent.html).not.toMatch(/<script|tracker\.example/);
    expect(remote).toEqual([]);
    await page.close();
  }, 90_000);

  it("gives an agent 404 for another inbox's ticket, by URL in the browser and by the API", async () => {
    const other = await app.models.Inbox.create({ name: 'Billing', address: 'billing@web.example.test', imap: { host: '127.0.0.1', port: 143, secure: false }, smtp: { host: '127.0.0.1', port: 25, secure: false } });
    const hidden = await app.models.Ticket.create({ number: 9001, inboxId: other._id, subject: 'Secret invoice dispute', requester: { email: 'carl@customer.test', name: 'Carl' }, status: 'open' });
    const page = await browser.newPage();
    await page.goto(`${base}/login`);
    await page.fill('input[name=email]', 'agnes@web.example.test');
    await page.fill('input[name=password]', 'agnes password 123');
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/`);
    const byUrl = await page.goto(`${base}/tickets/${hidden._id.toHexString()}`);
    expect(byUrl?.status()).toBe(404);
    expect(await page.content()).not.toContain('Secret invoice dispute');
    await page.close();

    const login = await fetch(`${base}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'agnes@web.example.test', password: 'agnes password 123' }) });
    const { token } = (await login.json()) as { token: string };
    const byApi = await fetch(`${base}/api/v1/tickets/${hidden._id.toHexString()}`, { headers: { authorization: `Bearer ${token}` } });
    expect(byApi.status).toBe(404);
    expect(await byApi.text()).not.toContain('Secret invoice dispute');
  }, 30_000);

  it("lets a manager change the inbox's SLA targets in the settings pages", async () => {
    const box = (await app.models.Inbox.findOne({ name: 'Customer Support' }).lean())!;
    await app.models.User.create({ email: 'mona@web.example.test', name: 'Mona Manager', role: 'manager', inboxIds: [box._id], passwordHash: await hashPassword('mona password 123') });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/login`);
    await page.fill('input[name=email]', 'mona@web.example.test');
    await page.fill('input[name=password]', 'mona password 123');
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/`);
    await page.click('nav a[href="/settings"]');
    await page.click('a[href="/settings/inboxes"]');
    await page.goto(`${base}/settings/inboxes/${box._id.toHexString()}/sla`);
    await page.fill('input[name=t_urgent_first]', '20m');
    await page.click('form.cfg-form button[type=submit]');
    await page.waitForURL(/\/sla\?saved=1$/);
    expect(await page.locator('input[name=t_urgent_first]').inputValue()).toBe('20m');
    await page.setViewportSize({ width: 1280, height: await page.evaluate<number>('document.documentElement.scrollHeight') });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'settings-sla.png') });
    await page.close();
    const stored = (await app.models.Inbox.findById(box._id).lean())!.sla as { targets: { urgent: { firstResponseSeconds: number } } };
    expect(stored.targets.urgent.firstResponseSeconds).toBe(1200);
  }, 30_000);
});
