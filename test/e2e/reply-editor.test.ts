import type { Types } from 'mongoose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KB_SEARCH_VERSION, kbSearchTerms } from '../../src/domain/kb-articles.js';
import { parseMail } from '../../src/mail/parse-mail.js';
import type { TestSmtp } from '../helpers/smtp.js';
import { describeOverflow, horizontalOverflow, PHONE, signIn, watchCsp, watchPageProblems } from './browser-harness.js';
import { sendingInboxWithAgent, startBrowserDesk, type BrowserDesk } from './browser-desk.js';

// Issue 18: the reply editor (Tiptap, bundled in templates/web/assets/editor.js) under the page's CSP:
// an agent formats a reply (bold, a list, a link), and the customer gets an HTML mail with a text/plain
// alternative, checked at a real SMTP server. Without JavaScript the page still sends the plain textarea.
let desk: BrowserDesk;
let smtp: TestSmtp;
let app: BrowserDesk['app'];
let browser: Browser;
let base: string;
let ticketId: string;
let inbox: Types.ObjectId;

beforeAll(async () => {
  desk = await startBrowserDesk('editor', ['web', 'jobs']);
  ({ smtp, app, browser, base } = desk);
  inbox = await sendingInboxWithAgent(desk, { address: 'help@editor.example.test' }, { email: 'gina@editor.example.test', name: 'Gina Agent', password: 'gina password 123' });
  ticketId = (await app.models.Ticket.create({ number: 7, inboxId: inbox, subject: 'Printer', requester: { email: 'paul@customer.test' }, status: 'open', lastActivityAt: new Date() }))._id.toHexString();
}, 60_000);
afterAll(async () => desk?.stop());

const mailsTo = (address: string) => smtp.received.filter((m) => m.rcptTo.includes(address));
/** A 1×1 PNG. */
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('the reply editor', () => {
  it('formats a reply that reaches the customer as HTML with a plain-text alternative, under the page CSP', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const { errors, missing } = watchPageProblems(page);
    const violations = await watchCsp(page);
    await signIn(page, base, 'gina@editor.example.test', 'gina password 123');
    await page.goto(`${base}/tickets/${ticketId}`);

    const form = page.locator('form.reply-form');
    const editor = form.locator('.reply-editor-content');
    await expect.poll(() => editor.count()).toBe(1);
    // The textarea stays in the form (the server always gets `text`), hidden behind the editor.
    expect(await form.locator('textarea[name=text]').isVisible()).toBe(false);
    // The reply area is as wide as the timeline, not the sidebar.
    const width = async (selector: string) => (await page.locator(selector).boundingBox())!.width;
    const widths = { reply: await width('form.reply-form'), timeline: await width('.timeline'), side: await width('aside.side') };
    expect(widths.reply).toBeGreaterThan(widths.side);
    expect(Math.abs(widths.reply - widths.timeline)).toBeLessThan(2);

    const tool = (name: string) => form.getByRole('button', { name, exact: true });
    await editor.click();
    await page.keyboard.type('Hello Paul, the ');
    await tool('Bold (Ctrl+B)').click();
    expect(await tool('Bold (Ctrl+B)').getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.type('toner');
    await tool('Bold (Ctrl+B)').click();
    await page.keyboard.type(' is ordered, see ');
    // A link from the small address row (no scheme typed: https is added).
    await tool('Link').click();
    const linkRow = form.locator('.editor-link-row');
    await linkRow.locator('input').fill('example.test/toner');
    await linkRow.locator('input').press('Enter');
    expect(await linkRow.isVisible()).toBe(false);
    await page.keyboard.type('.');
    await page.keyboard.press('Enter');
    await tool('Bulleted list').click();
    await page.keyboard.type('first step');
    await page.keyboard.press('Enter');
    await page.keyboard.type('second step');

    const html = await form.locator('input[name=html]').inputValue();
    expect(html).toContain('<strong>toner</strong>');
    expect(html).toMatch(/<ul><li><p>first step<\/p><\/li><li><p>second step<\/p><\/li><\/ul>/);
    expect(html).toContain('href="https://example.test/toner"');
    expect(await form.locator('textarea[name=text]').inputValue()).toBe('Hello Paul, the toner is ordered, see https://example.test/toner.\n\n- first step\n- second step');

    await form.locator('button[type=submit].primary').click();
    await page.waitForURL(/\/tickets\/[0-9a-f]{24}(#end)?$/);
    await expect.poll(() => page.locator('.msg.outbound').count()).toBe(1);

    await expect.poll(() => mailsTo('paul@customer.test').length, { timeout: 20_000 }).toBe(1);
    const raw = mailsTo('paul@customer.test')[0]!.raw;
    expect(raw.toString()).toMatch(/Content-Type: multipart\/alternative/i);
    const sent = await parseMail(raw, { maxBytes: 1e6 });
    expect(sent.html).toContain('<strong>toner</strong>');
    expect(sent.html).toMatch(/<li><p>first step<\/p><\/li>/);
    expect(sent.html).toContain('href="https://example.test/toner"');
    expect(sent.text).toContain('Hello Paul, the toner is ordered, see https://example.test/toner.');
    expect(sent.text).toContain('- first step\n- second step');

    expect(await violations()).toEqual([]);
    expect(errors).toEqual([]);
    expect(missing.filter((p) => p !== '/favicon.ico')).toEqual([]);
    await context.close();
  }, 90_000);

  it('uploads a pasted image to the ticket’s uploads and shows it in the reply', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const { errors } = watchPageProblems(page);
    const violations = await watchCsp(page);
    await signIn(page, base, 'gina@editor.example.test', 'gina password 123');
    await page.goto(`${base}/tickets/${ticketId}`);
    const editor = page.locator('form.reply-form .reply-editor-content');
    await editor.click();
    await page.keyboard.type('The screenshot:');
    // A paste of an image file, as a browser hands it over from the clipboard.
    await page.evaluate(`(() => {
      const bytes = Uint8Array.from(atob('${PNG_1X1}'), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'shot.png', { type: 'image/png' }));
      document.querySelector('form.reply-form .reply-editor-content').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    })()`);
    const img = editor.locator('img');
    await expect.poll(() => img.count(), { timeout: 10_000 }).toBe(1);
    const src = await img.getAttribute('src');
    expect(src).toMatch(new RegExp(`^/tickets/${ticketId}/uploads/[0-9a-f]{24}$`));
    // Shown from the upload route (the page's img-src 'self'), and in the form's HTML.
    await expect.poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);
    expect(await page.locator('form.reply-form input[name=html]').inputValue()).toContain(`<img src="${src}" alt="shot.png">`);
    expect(await page.locator('form.reply-form textarea[name=text]').inputValue()).toBe('The screenshot:');

    // Sent, the image travels inside the mail (cid:), never as a link to our server.
    const before = mailsTo('paul@customer.test').length;
    await page.locator('form.reply-form button[type=submit].primary').click();
    await page.waitForURL(/\/tickets\/[0-9a-f]{24}(#end)?$/);
    await expect.poll(() => mailsTo('paul@customer.test').length, { timeout: 20_000 }).toBe(before + 1);
    const sent = await parseMail(mailsTo('paul@customer.test').at(-1)!.raw, { maxBytes: 1e6 });
    const cid = /<img [^>]*src="cid:([^"]+)"/.exec(sent.html as string)?.[1];
    expect(sent.attachments.find((a) => a.contentId === cid)).toMatchObject({ contentType: 'image/png', inline: true });
    expect(sent.html).not.toContain('/uploads/');
    expect(sent.text).toContain('The screenshot:');
    expect(await violations()).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('writes a new conversation with the same editor and an attached file, checked at the SMTP server', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    const { errors, missing } = watchPageProblems(page);
    const violations = await watchCsp(page);
    await signIn(page, base, 'gina@editor.example.test', 'gina password 123');
    await page.goto(`${base}/tickets/new`);
    const form = page.locator('form.compose-form');
    const editor = form.locator('.reply-editor-content');
    await expect.poll(() => editor.count()).toBe(1);
    expect(await form.locator('textarea[name=text]').isVisible()).toBe(false);

    await form.locator('input[name=to]').fill('nora@customer.test');
    await form.locator('input[name=subject]').fill('Your new printer');
    await editor.click();
    await page.keyboard.type('Hello Nora, your printer ships ');
    await form.getByRole('button', { name: 'Bold (Ctrl+B)', exact: true }).click();
    await page.keyboard.type('today');
    await form.getByRole('button', { name: 'Bold (Ctrl+B)', exact: true }).click();
    await page.keyboard.type('.');
    // A file chosen is uploaded at once (uploads.js) for the chosen inbox, and goes with the mail.
    await form.locator('input[type=file][name=files]').setInputFiles({ name: 'manual.txt', mimeType: 'text/plain', buffer: Buffer.from('printer manual v2') });
    await expect.poll(() => form.locator('.upload-list li.upload.done').count(), { timeout: 20_000 }).toBe(1);
    expect(await form.locator('textarea[name=text]').inputValue()).toBe('Hello Nora, your printer ships today.');
    // At 390 px the editor's toolbar and the file list fit the page.
    expect(await horizontalOverflow(page).then((o) => (o ? describeOverflow('new conversation with the editor', page.url(), o) : null))).toBeNull();

    await form.locator('button[type=submit].primary').click();
    await page.waitForURL(/\/tickets\/[0-9a-f]{24}(#end)?$/);
    await expect.poll(() => mailsTo('nora@customer.test').length, { timeout: 20_000 }).toBe(1);
    const sent = await parseMail(mailsTo('nora@customer.test')[0]!.raw, { maxBytes: 1e6 });
    expect(sent.subject).toContain('Your new printer');
    expect(sent.html).toContain('<strong>today</strong>');
    expect(sent.text).toContain('Hello Nora, your printer ships today.');
    expect(sent.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['manual.txt', 'printer manual v2']]);

    expect(await violations()).toEqual([]);
    expect(errors).toEqual([]);
    expect(missing.filter((p) => p !== '/favicon.ico')).toEqual([]);
    await context.close();
  }, 90_000);

  it('inserts a matching article’s link where the editor’s cursor is, without reloading the page', async () => {
    const title = 'Printer paper jam';
    const body = 'Open the printer tray and remove the jammed paper.';
    await app.models.KbArticle.create({
      title, slug: 'printer-paper-jam', language: 'en', body, html: `<p>${body}</p>`, visibility: 'public', status: 'published',
      searchTerms: kbSearchTerms({ title, body }), searchVersion: KB_SEARCH_VERSION, publishedAt: new Date(),
    });
    const jam = await app.models.Ticket.create({ number: 8, inboxId: inbox, subject: 'Printer paper jam', requester: { email: 'rita@customer.test' }, status: 'open', lastActivityAt: new Date() });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const { errors } = watchPageProblems(page);
    const violations = await watchCsp(page);
    await signIn(page, base, 'gina@editor.example.test', 'gina password 123');
    await page.goto(`${base}/tickets/${jam._id.toHexString()}`);
    const editor = page.locator('form.reply-form .reply-editor-content');
    await editor.click();
    await page.keyboard.type('Hello Rita, see ');
    const picker = page.locator('form.kb-link-picker');
    await picker.locator('select[name=kbArticle]').selectOption({ label: title });
    await picker.locator('button[type=submit]').click();
    await expect.poll(() => editor.innerText()).toMatch(/^Hello Rita, see Printer paper jam: http:\/\/127\.0\.0\.1:\d+\/help\/en\/printer-paper-jam/);
    // Inserted by the script: the page was not reloaded with ?kbArticle=.
    expect(page.url()).not.toContain('kbArticle');
    expect(await page.locator('form.reply-form textarea[name=text]').inputValue()).toContain('Printer paper jam: http://');
    expect(await violations()).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('still sends the plain textarea without JavaScript, on a phone', async () => {
    const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill('input[name=email]', 'gina@editor.example.test');
    await page.fill('input[name=password]', 'gina password 123');
    await page.click('form[action="/login"] button[type=submit]');
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/tickets/${ticketId}`);
    expect(await page.locator('form.reply-form .reply-editor-content').count()).toBe(0);
    const box = page.locator('form.reply-form textarea[name=text]');
    expect(await box.isVisible()).toBe(true);
    await box.fill('Plain words, no script.');
    const before = mailsTo('paul@customer.test').length;
    await page.click('form.reply-form button[type=submit].primary');
    await page.waitForURL(/\/tickets\/[0-9a-f]{24}(#end)?$/);
    await expect.poll(() => mailsTo('paul@customer.test').length, { timeout: 20_000 }).toBe(before + 1);
    const sent = await parseMail(mailsTo('paul@customer.test').at(-1)!.raw, { maxBytes: 1e6 });
    expect(sent.text).toContain('Plain words, no script.');
    expect(sent.html).toContain('Plain words, no script.');
    expect(sent.html).not.toContain('<strong>');
    await context.close();
  }, 60_000);
});
