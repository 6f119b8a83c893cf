import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../../src/store/passwords.js';
import { startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { createImapInbox } from '../helpers/inbox.js';
import { startRuntime } from '../helpers/runtime.js';

const SUPPORT = 'support@hostile.example.test';
// A 1×1 PNG, both as the mail's inline part and as the listener's "remote" image.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let dovecot: DovecotServer;
let app: Awaited<ReturnType<typeof startRuntime>>;
let browser: Browser;
let base: string;
let listener: Server;
let canary: string;
/** Every request that reached the local listener the vectors point at. */
const hits: string[] = [];

/** Known XSS and remote-load vectors; each one that ran would hit the listener, open a dialog or retitle the page. */
function hostileHtml(c: string): string {
  const pwn = (tag: string) => `top.document.title='pwned-${tag}';window.name='pwned';fetch('${c}/${tag}');alert('${tag}')`;
  return [
    '<p>Hello, <b>please look at this</b>.</p>',
    `<img src="${c}/remote.png" alt="remote" width="20" height="20">`,
    '<img src="cid:logo@hostile.test" alt="inline" width="20" height="20">',
    `<script>${pwn('script')}</script>`,
    `<ScRiPt src="${c}/script-src.js"></ScRiPt>`,
    `<img src="x" alt="broken" onerror="${pwn('onerror')}">`,
    `<body onload="${pwn('onload')}">`,
    `<p onmouseover="${pwn('onmouseover')}" title="hover">hover me</p>`,
    `<a href="javascript:${pwn('js-href')}">javascript link</a>`,
    `<a href="jav&#x09;ascript:${pwn('js-tab')}">tabbed javascript link</a>`,
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>',
    `<iframe src="javascript:${pwn('iframe-js')}"></iframe>`,
    `<iframe src="data:text/html,<script>${pwn('iframe-data')}</script>"></iframe>`,
    `<iframe srcdoc="<script>${pwn('srcdoc')}</script>"></iframe>`,
    `<form action="${c}/form" method="post"><input name="q" value="x" autofocus onfocus="${pwn('onfocus')}"><button formaction="javascript:${pwn('formaction')}">go</button><input type="image" src="${c}/input-image"></form>`,
    `<svg><script>${pwn('svg-script')}</script></svg>`,
    `<svg onload="${pwn('svg-onload')}"><image href="${c}/svg-image"/></svg>`,
    `<math><mtext><table><mglyph><style><img src=x onerror="${pwn('math')}"></style></mglyph></table></mtext></math>`,
    `<object data="${c}/object"></object><embed src="${c}/embed">`,
    `<div style="background:url(${c}/css-url)">css url</div>`,
    `<div style="background-image: \\75 rl(${c}/css-escaped)">escaped url</div>`,
    `<style>@import url(${c}/import.css); p { background: url(${c}/style-bg) }</style>`,
    `<div style="width: expression(${pwn('expression')})">expression</div>`,
    `<meta http-equiv="refresh" content="0;url=${c}/refresh">`,
    `<base href="${c}/base/">`,
    `<link rel="stylesheet" href="${c}/link.css">`,
    `<video poster="${c}/poster"><source src="${c}/video"></video>`,
    `<table background="${c}/table-bg"><tr><td>cell</td></tr></table>`,
    // mXSS: markup that changes meaning when parsed a second time (last: an unclosed <svg> swallows the rest).
    `<noscript><p title="</noscript><img src=x onerror=${pwn('mxss-noscript')}>"></p></noscript>`,
    `<svg></p><style><a id="</style><img src=1 onerror=${pwn('mxss-svg')}>">`,
    `<form><math><mtext></form><form><mglyph><style></math><img src onerror=${pwn('mxss-math')}>`,
  ].join('\n');
}

/** A real multipart/related mail: text, the hostile HTML, and an inline PNG (RFC 2387, RFC 2392). */
function hostileMail(c: string): Buffer {
  const b64 = (data: Buffer) => data.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      'From: Mallory <mallory@evil.test>',
      `To: ${SUPPORT}`,
      'Subject: Invoice question',
      `Date: ${new Date().toUTCString()}`,
      'Message-ID: <hostile-1@evil.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/related; boundary="rel"',
      '',
      '--rel',
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello, please look at this.',
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      b64(Buffer.from(hostileHtml(c))),
      '--alt--',
      '--rel',
      'Content-Type: image/png',
      'Content-Transfer-Encoding: base64',
      'Content-ID: <logo@hostile.test>',
      'Content-Disposition: inline; filename="logo.png"',
      '',
      b64(PNG),
      '--rel--',
      '',
    ].join('\r\n'),
  );
}

/** A follow-up in the same thread whose HTML names the first mail's inline image. */
function borrowingMail(): Buffer {
  return Buffer.from(
    [
      'From: Mallory <mallory@evil.test>',
      `To: ${SUPPORT}`,
      'Subject: Re: Invoice question',
      `Date: ${new Date().toUTCString()}`,
      'Message-ID: <hostile-2@evil.test>',
      'In-Reply-To: <hostile-1@evil.test>',
      'References: <hostile-1@evil.test>',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>Follow-up</p><img src="cid:logo@hostile.test" alt="borrowed">',
      '',
    ].join('\r\n'),
  );
}

/** Everything one page shows and does that the test checks afterwards. */
function watch(context: BrowserContext, page: Page) {
  const seen = { requests: [] as string[], dialogs: [] as string[], console: [] as string[], errors: [] as string[] };
  // Context-wide: the page, every frame, popups and workers.
  context.on('request', (r) => void seen.requests.push(r.url()));
  context.on('page', (p) => void seen.requests.push(`popup:${p.url()}`));
  page.on('dialog', (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('console', (m) => void seen.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => void seen.errors.push(e.message));
  return seen;
}

async function login(page: Page, email: string, password: string) {
  await page.goto(`${base}/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/`);
}

/** An image's natural width once loaded (0 while loading or when it failed). */
const loadedWidth = (img: Locator) =>
  img.evaluate((el) => {
    const i = el as unknown as { complete: boolean; naturalWidth: number };
    return i.complete ? i.naturalWidth : 0;
  });

const foreign = (urls: string[]) => urls.filter((u) => !u.startsWith(`${base}/`) && !u.startsWith('data:') && u !== 'about:blank');

beforeAll(async () => {
  listener = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/remote.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  canary = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  dovecot = await startDovecot([SUPPORT]);
  app = await startRuntime('hostile', ['web', 'poller']);
  base = `http://127.0.0.1:${(app.servers[0]!.address() as AddressInfo).port}`;
  const box = await createImapInbox(app.models, { address: SUPPORT, port: dovecot.port, password: dovecot.password });
  await app.models.Inbox.updateOne({ _id: box._id }, { $set: { name: 'Hostile', 'autoReply.enabled': false } });
  for (const [email, name] of [['agnes@hostile.example.test', 'Agnes Agent'], ['bert@hostile.example.test', 'Bert Agent']] as const) {
    await app.models.User.create({ email, name, role: 'agent', inboxIds: [box._id], passwordHash: await hashPassword(`${name} password`) });
  }
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  await dovecot.append(SUPPORT, hostileMail(canary));
  await dovecot.append(SUPPORT, borrowingMail());
  await vi.waitFor(async () => expect(await app.models.Message.countDocuments({ direction: 'inbound' })).toBe(2), { timeout: 20_000, interval: 100 });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await dovecot?.stop();
  await new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
});

describe('hostile customer HTML in the real browser', () => {
  it('runs nothing and loads nothing remote; shows its own cid: image; remote images only on request', async () => {
    const ticket = (await app.models.Ticket.findOne({}).lean())!;
    expect(await app.models.Ticket.countDocuments({})).toBe(1);
    const context = await browser.newContext();
    const page = await context.newPage();
    const seen = watch(context, page);
    await login(page, 'agnes@hostile.example.test', 'Agnes Agent password');
    await page.goto(`${base}/tickets/${ticket._id.toHexString()}`);
    const title = await page.title();
    expect(title).toBe(`#${ticket.number} Invoice question · Threadline`);

    const first = page.frameLocator('iframe.mail-body').first();
    await expect.poll(() => first.locator('b').textContent()).toBe('please look at this');
    // The mail's own inline image rendered, through its signed URL.
    await expect.poll(() => loadedWidth(first.locator('img[alt=inline]'))).toBe(1);
    // The follow-up names the first mail's Content-ID: it gets no image at all.
    const second = page.frameLocator('iframe.mail-body').nth(1);
    await expect.poll(() => second.locator('p').textContent()).toBe('Follow-up');
    expect(await second.locator('img').count()).toBe(0);
    // The remote image is held back.
    expect(await first.locator('img[alt=remote]').getAttribute('src')).toBeNull();
    expect(await loadedWidth(first.locator('img[alt=remote]'))).toBe(0);

    // Poke what a person would: hover and click the (defused) links that stayed in the page.
    await first.locator('text=hover me').hover();
    await first.locator('text=javascript link').first().click();
    await first.locator('text=tabbed javascript link').click();
    await first.locator('text=data link').click();
    await page.waitForTimeout(500);

    expect(seen.dialogs).toEqual([]);
    expect(seen.errors).toEqual([]);
    expect(seen.console.filter((m) => /pwned|Uncaught|Refused|Content Security Policy/i.test(m))).toEqual([]);
    expect(await page.title()).toBe(title);
    expect(await page.evaluate(() => (globalThis as unknown as { name: string }).name)).toBe('');
    expect(foreign(seen.requests)).toEqual([]);
    expect(hits).toEqual([]);

    // "Load images" reloads the page with that one body allowed to fetch http(s) images.
    expect(await page.locator('.remote-images').first().textContent()).toContain('Remote images blocked');
    await page.click('text=Load images');
    await page.waitForURL(/\?images=[0-9a-f]{24}#msg-/);
    const reloaded = page.frameLocator('iframe.mail-body').first();
    await expect.poll(() => loadedWidth(reloaded.locator('img[alt=remote]'))).toBe(1);
    expect(hits).toEqual(['/remote.png']);
    expect(foreign(seen.requests)).toEqual([`${canary}/remote.png`]);
    expect(seen.dialogs).toEqual([]);
    expect(await page.title()).toBe(title);
    await context.close();
  }, 90_000);

  it('runs the presence script under the CSP and shows the other agent live', async () => {
    const ticket = (await app.models.Ticket.findOne({}).lean())!;
    const url = `${base}/tickets/${ticket._id.toHexString()}`;
    const agnesContext = await browser.newContext();
    const agnes = await agnesContext.newPage();
    const agnesSeen = watch(agnesContext, agnes);
    await login(agnes, 'agnes@hostile.example.test', 'Agnes Agent password');
    await agnes.clock.install();
    await agnes.goto(url);
    expect(await agnes.locator('#presence').isHidden()).toBe(true);

    const bertContext = await browser.newContext();
    const bert = await bertContext.newPage();
    const bertSeen = watch(bertContext, bert);
    await login(bert, 'bert@hostile.example.test', 'Bert Agent password');
    await bert.goto(url);
    expect(await bert.locator('#presence').textContent()).toBe('Also here: Agnes Agent');
    // Typing a reply tells the server at once.
    const beat = bert.waitForResponse((r) => r.url() === `${url}/presence` && r.status() === 200);
    await bert.fill('form[action$="/reply"] .reply-editor-content', 'Looking into it');
    expect(await (await beat).json()).toEqual({ text: 'Also here: Agnes Agent' });

    // Agnes's page learns it on its next heartbeat, 20 s later.
    await agnes.clock.runFor(21_000);
    await expect.poll(() => agnes.locator('#presence').textContent(), { timeout: 10_000 }).toBe('Also here: Bert Agent (replying)');
    expect(await agnes.locator('#presence').isVisible()).toBe(true);

    for (const seen of [agnesSeen, bertSeen]) {
      expect(seen.errors).toEqual([]);
      expect(seen.console.filter((m) => /Refused|Content Security Policy|Uncaught/i.test(m))).toEqual([]);
      expect(foreign(seen.requests)).toEqual([]);
    }
    expect(agnesSeen.requests).toContain(`${url}/presence`);
    await agnesContext.close();
    await bertContext.close();
  }, 60_000);
});
