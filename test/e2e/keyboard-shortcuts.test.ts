import { Types } from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createI18n } from '../../src/i18n/catalog.js';
import { createUser } from '../helpers/api.js';
import { startPages } from '../integration/web/pages-harness.js';
import { launchChromium, signIn, watchPageProblems } from './browser-harness.js';

// Issue 16: a skip link first in the tab order, and keyboard shortcuts, in a real browser under the
// page's CSP (the shortcuts come from /static/shortcuts.js, no inline script).
let h: Awaited<ReturnType<typeof startPages>>;
let browser: Browser;
const inbox = new Types.ObjectId();
const en = createI18n().translator('en');

interface Focus {
  tag: string;
  cls: string;
  name: string;
  href: string;
  form: string;
  text: string;
}

/** Runs in the page: what has the focus, by its tag and the attributes the test tells elements apart by. */
const FOCUS_PROBE = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return { tag: 'body', cls: '', name: '', href: '', form: '', text: '' };
  const form = el.form;
  return {
    tag: el.tagName.toLowerCase(), cls: el.className, name: el.getAttribute('name') || '', href: el.getAttribute('href') || '',
    form: form ? form.className || form.getAttribute('action') || '' : '', text: (el.textContent || '').trim(),
  };
})()`;
const focused = (page: Page) => page.evaluate<Focus>(FOCUS_PROBE);
/** Takes the focus away from any field, as a click on the page's background would. */
const blur = (page: Page) => page.evaluate('document.activeElement && document.activeElement.blur()');

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create({ _id: inbox, name: 'Helpdesk', address: 'help@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  await createUser(h.models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [inbox], name: 'Gina Agent' });
  const now = Date.now();
  for (const [i, subject] of ['Printer jam', 'VPN drops', 'Invoice wrong'].entries()) {
    await h.models.Ticket.create({ number: i + 1, inboxId: inbox, subject, requester: { email: `c${i}@customer.test` }, status: 'open', lastActivityAt: new Date(now - i * 60_000) });
  }
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('keyboard use of the ticket list and a ticket', () => {
  it('reaches the first ticket through the skip link, moves with j/k, opens with Enter, and uses r, n, a, e, / and ?', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { errors, missing } = watchPageProblems(page);
    await signIn(page, h.base, 'gina@example.test', 'gina password 123');
    await page.goto(`${h.base}/tickets`);
    const rows = page.locator('table.tickets tbody tr');
    const links = await page.locator('table.tickets tbody td.subject a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    expect(links).toHaveLength(3);

    // The first Tab lands on the skip link, shown on screen while focused.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'a', cls: 'skip-link', text: en.t('web:layout.skip') });
    const box = await page.locator('a.skip-link').boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(new URL(page.url()).hash).toBe('#results');
    let tabs = 0;
    while ((await focused(page)).href !== links[0] && tabs < 3) {
      await page.keyboard.press('Tab');
      tabs++;
    }
    expect((await focused(page)).href, `the first ticket after ${tabs} Tabs`).toBe(links[0]);

    // From the focused first row: j, j, k selects the second; Enter opens it.
    for (const key of ['j', 'j', 'k']) await page.keyboard.press(key);
    expect(await focused(page)).toMatchObject({ tag: 'a', href: links[1] });
    expect(await rows.evaluateAll((trs) => trs.map((tr) => [tr.classList.contains('kb-selected'), tr.getAttribute('aria-current')]))).toEqual([
      [false, null],
      [true, 'true'],
      [false, null],
    ]);
    await Promise.all([page.waitForURL(`${h.base}${links[1]}`), page.keyboard.press('Enter')]);

    // On the ticket: r goes to the reply box (the editor, which keeps the form's textarea filled)
    // without typing an "r"; inside the box keys just type.
    const reply = page.locator('form.reply-form .reply-editor-content');
    const text = page.locator('form.reply-form textarea[name=text]');
    const before = await text.inputValue();
    await page.keyboard.press('r');
    expect((await focused(page)).cls).toContain('reply-editor-content');
    expect(await text.inputValue()).toBe(before);
    await reply.fill('');
    await page.keyboard.type('rn?e');
    expect(await text.inputValue()).toBe('rn?e');
    expect((await focused(page)).cls).toContain('reply-editor-content');
    expect(await page.locator('#shortcuts-help').isVisible()).toBe(false);

    await blur(page);
    await page.keyboard.press('n');
    expect(await focused(page)).toMatchObject({ tag: 'textarea', form: 'card note-form' });
    await blur(page);
    await page.keyboard.press('a');
    expect(await focused(page)).toMatchObject({ tag: 'select', name: 'assigneeId' });
    // With Ctrl held a letter is the browser's, not ours.
    await blur(page);
    await page.keyboard.press('Control+e');
    expect((await focused(page)).tag).toBe('body');
    // e chooses "solved" in the ticket's form and waits on its Save button: nothing is sent yet.
    const url = page.url();
    await page.keyboard.press('e');
    expect(await page.locator('form[action$="/update"] select[name=status]').inputValue()).toBe('solved');
    expect(await focused(page)).toMatchObject({ tag: 'button', text: en.t('tickets:ticket.form.submit') });
    expect(page.url()).toBe(url);
    expect((await h.models.Ticket.findOne({ subject: 'VPN drops' }).lean())!.status).toBe('open');

    // ? opens the help, Escape closes it.
    await blur(page);
    const help = page.locator('#shortcuts-help');
    await page.keyboard.press('?');
    await expect.poll(() => help.isVisible()).toBe(true);
    expect(await help.locator('h2').textContent()).toBe(en.t('web:layout.shortcuts.title'));
    await page.keyboard.press('Escape');
    await expect.poll(() => help.isVisible()).toBe(false);

    // Back on the list, / goes to the search box without typing a slash.
    await page.goto(`${h.base}/tickets`);
    await page.keyboard.press('/');
    expect(await focused(page)).toMatchObject({ tag: 'input', name: 'q' });
    expect(await page.locator('form.filters input[name=q]').inputValue()).toBe('');

    expect(errors).toEqual([]);
    expect(missing.filter((p) => p !== '/favicon.ico')).toEqual([]);
    await context.close();
  }, 60_000);
});
