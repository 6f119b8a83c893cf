import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Types } from 'mongoose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../src/mail/parse-mail.js';
import type { TestSmtp } from '../helpers/smtp.js';
import { describeOverflow, horizontalOverflow, PHONE, signIn, watchPageProblems } from './browser-harness.js';
import { sendingInboxWithAgent, startBrowserDesk, type BrowserDesk } from './browser-desk.js';

// Issue 18: the reply box's files in Chromium, on the production wiring with a real scan hook (a
// shell script that refuses files holding a marker): a chosen file uploads at once with a progress
// bar, a refused one shows the scan's reason and is not sent, and the reply reaches the SMTP server
// with the file's exact bytes; the trail lists it for download.
const MARKER = 'THREADLINE-TEST-VIRUS-MARKER';
let desk: BrowserDesk;
let smtp: TestSmtp;
let app: BrowserDesk['app'];
let browser: Browser;
let base: string;
let ticketId: string;
let inbox: Types.ObjectId;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tl-scan-e2e-'));
  const scan = path.join(dir, 'scan.sh');
  writeFileSync(scan, `#!/bin/sh\nif grep -q '${MARKER}'; then echo "stdin: Threadline-Test-Marker FOUND"; exit 1; fi\nexit 0\n`);
  chmodSync(scan, 0o755);
  desk = await startBrowserDesk('attach', ['web', 'jobs'], { env: { ATTACHMENT_SCAN_COMMAND: scan, ATTACHMENT_SCAN_TIMEOUT_SECONDS: '20', ATTACHMENT_MAX_FILE_MB: '1' } });
  ({ smtp, app, browser, base } = desk);
  inbox = await sendingInboxWithAgent(desk, { address: 'help@attach.example.test', quoteHistory: false }, { email: 'gina@attach.example.test', name: 'Gina Agent', password: 'gina password 123' });
  ticketId = (await app.models.Ticket.create({ number: 7, inboxId: inbox, subject: 'Printer', requester: { email: 'paul@customer.test' }, status: 'open', lastActivityAt: new Date() }))._id.toHexString();
}, 60_000);
afterAll(async () => desk?.stop());

describe('attachments in the reply box', () => {
  it('uploads with progress, shows a refused file’s reason, and sends the accepted file’s exact bytes', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    const { errors, missing } = watchPageProblems(page);
    await signIn(page, base, 'gina@attach.example.test', 'gina password 123');
    await page.goto(`${base}/tickets/${ticketId}`);
    const form = page.locator('form.reply-form');
    const input = form.locator('input[type=file][name=files]');
    const list = form.locator('.upload-list');

    // 300 KB of varied bytes: the progress bar has something to show.
    const report = Buffer.alloc(300 * 1024);
    for (let i = 0; i < report.length; i++) report[i] = (i * 31 + 7) % 256;
    await input.setInputFiles({ name: 'report.bin', mimeType: 'application/octet-stream', buffer: report });
    const done = list.locator('li.upload.done');
    await expect.poll(() => done.count(), { timeout: 20_000 }).toBe(1);
    expect(await done.locator('progress').evaluate((el) => (el as unknown as { value: number }).value)).toBe(100);
    expect(await done.locator('.upload-name').textContent()).toBe('report.bin');
    expect(await done.locator('input[type=hidden][name=upload]').count()).toBe(1);
    // The file input is emptied: the form does not send the file a second time.
    expect(await input.evaluate((el) => (el as unknown as { files: { length: number } }).files.length)).toBe(0);

    // A file the scan refuses: its reason, in place, and nothing to send.
    await input.setInputFiles({ name: 'evil.txt', mimeType: 'text/plain', buffer: Buffer.from(`hello ${MARKER}`) });
    const failed = list.locator('li.upload.failed');
    await expect.poll(() => failed.count(), { timeout: 20_000 }).toBe(1);
    expect(await failed.locator('[role=alert]').textContent()).toBe('evil.txt was refused by the virus scan: stdin: Threadline-Test-Marker FOUND');
    expect(await failed.locator('input[name=upload]').count()).toBe(0);
    // Over the per-file limit (1 MB here): said at once, in words, and never sent.
    const uploadsBefore = await app.models.Upload.countDocuments();
    await input.setInputFiles({ name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(1024 * 1024 + 1, 3) });
    await expect.poll(() => failed.count()).toBe(2);
    expect(await failed.nth(1).locator('[role=alert]').textContent()).toBe('Larger than 1 MB, the limit for one file: not attached.');
    expect(await form.locator('.reply-attachments').textContent()).toContain('Up to 20 files, 1 MB each and 25 MB in all.');
    expect(await app.models.Upload.countDocuments()).toBe(uploadsBefore);
    expect(await horizontalOverflow(page).then((o) => (o ? describeOverflow('reply box with files', page.url(), o) : null))).toBeNull();

    // The reply: into the rich editor when it is there, else the textarea.
    const editor = form.locator('.reply-editor-content');
    if ((await editor.count()) > 0) {
      await editor.click();
      await page.keyboard.type('Hello Paul, the report is attached.');
    } else {
      await form.locator('textarea[name=text]').fill('Hello Paul, the report is attached.');
    }
    await form.locator('button[type=submit].primary').click();
    await page.waitForURL(new RegExp(`/tickets/${ticketId}(#end)?$`));

    await expect.poll(() => smtp.received.filter((m) => m.rcptTo.includes('paul@customer.test')).length, { timeout: 20_000 }).toBe(1);
    const mail = await parseMail(smtp.received.find((m) => m.rcptTo.includes('paul@customer.test'))!.raw, { maxBytes: 10 * 1024 * 1024 });
    expect(mail.text).toContain('the report is attached');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['report.bin']);
    expect(mail.attachments[0]!.content.equals(report)).toBe(true);

    // The trail lists it with a download link, like a customer's attachment.
    const link = page.locator('.msg.outbound ul.attachments a', { hasText: 'report.bin' });
    await expect.poll(() => link.count()).toBe(1);
    const download = await page.request.get(`${base}${await link.getAttribute('href')}`);
    expect(Buffer.from(await download.body()).equals(report)).toBe(true);

    expect(errors).toEqual([]);
    expect(missing.filter((p) => p !== '/favicon.ico')).toEqual([]);
    await context.close();
  }, 90_000);
});
