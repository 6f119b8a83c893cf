import { Types } from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createI18n } from '../../src/i18n/catalog.js';
import { createUser } from '../helpers/api.js';
import { startPages } from '../integration/web/pages-harness.js';
import { describeOverflow, horizontalOverflow, launchChromium, PHONE, signIn, watchPageProblems } from './browser-harness.js';

// Issue 16, triage: the list's bulk bar in a real browser under the page's CSP (/static/bulk.js, no
// inline script): select all, the value control of the chosen action, `x` on the selected row, and a
// bulk assign of two tickets; at a phone's width the bar wraps without sideways scrolling.
let h: Awaited<ReturnType<typeof startPages>>;
let browser: Browser;
const inbox = new Types.ObjectId();
const en = createI18n().translator('en');
let reneId: Types.ObjectId;

/** Which value controls of the bar show, by the actions they serve. */
const shownControls = (page: Page) =>
  page.evaluate<string[]>(`[...document.querySelectorAll('.bulk-bar [data-bulk-for]')].filter((e) => !e.hidden && e.offsetParent !== null).map((e) => e.getAttribute('data-bulk-for'))`);
/** Whether each row's box is ticked, top to bottom. */
const ticked = (page: Page) => page.evaluate<boolean[]>(`[...document.querySelectorAll('table.tickets tbody input[name=ids]')].map((e) => e.checked)`);

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create({ _id: inbox, name: 'Helpdesk', address: 'help@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  await createUser(h.models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [inbox], name: 'Gina Agent' });
  reneId = (await createUser(h.models, { email: 'rene@example.test', password: 'rene password 123', inboxIds: [inbox], name: 'René Agent' }))._id;
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

describe('bulk changes from the ticket list', () => {
  it('selects two rows (a click and `x`), shows the assignee control for Assign, and assigns both', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { errors, missing } = watchPageProblems(page);
    await signIn(page, h.base, 'gina@example.test', 'gina password 123');
    await page.goto(`${h.base}/tickets?status=open`);

    // No action chosen: no value control; each action shows its own.
    expect(await shownControls(page)).toEqual([]);
    const action = page.locator('.bulk-bar select[name=action]');
    await action.selectOption('addTag');
    expect(await shownControls(page)).toEqual(['addTag removeTag']);
    await action.selectOption('assign');
    expect(await shownControls(page)).toEqual(['assign']);

    // Select all on the page, and back.
    const all = page.locator('table.tickets thead input[data-select-all]');
    expect(await all.isVisible()).toBe(true);
    await all.check();
    expect(await ticked(page)).toEqual([true, true, true]);
    await all.uncheck();
    expect(await ticked(page)).toEqual([false, false, false]);

    // A click on the first row's box; j j selects the second row and x ticks it.
    await page.locator('table.tickets tbody tr').nth(0).locator('input[name=ids]').check();
    await page.locator('h1').click();
    for (const key of ['j', 'j', 'x']) await page.keyboard.press(key);
    expect(await ticked(page)).toEqual([true, true, false]);
    expect(await page.evaluate<boolean>(`document.querySelector('table.tickets thead input[data-select-all]').indeterminate`)).toBe(true);
    // x again unticks, once more ticks: it toggles.
    await page.keyboard.press('x');
    expect(await ticked(page)).toEqual([true, false, false]);
    await page.keyboard.press('x');
    expect(await ticked(page)).toEqual([true, true, false]);
    // The help lists it.
    await page.keyboard.press('?');
    expect(await page.locator('#shortcuts-help').textContent()).toContain(en.t('web:layout.shortcuts.toggle'));
    await page.keyboard.press('Escape');

    await page.locator('.bulk-bar select[name=assigneeId]').selectOption(reneId.toHexString());
    await Promise.all([page.waitForURL(/updated=2/), page.locator('.bulk-bar button[type=submit]').click()]);
    expect(new URL(page.url()).search).toBe('?status=open&updated=2');
    expect(await page.locator('.bulk-notice').textContent()).toBe(en.t('tickets:bulk.notice.updated', { updated: 2 }));
    const assigned = await h.models.Ticket.find({}, { subject: 1, assigneeId: 1 }).sort({ number: 1 }).lean();
    expect(assigned.map((t) => [t.subject, t.assigneeId?.equals(reneId) ?? false])).toEqual([['Printer jam', true], ['VPN drops', true], ['Invoice wrong', false]]);

    expect(errors).toEqual([]);
    expect(missing.filter((p) => p !== '/favicon.ico')).toEqual([]);
    await context.close();
  }, 60_000);

  it('wraps the bulk bar at a phone’s width, without sideways scrolling', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await signIn(page, h.base, 'gina@example.test', 'gina password 123');
    for (const chosen of ['', 'assign', 'merge']) {
      await page.goto(`${h.base}/tickets?updated=1&failed=notFound.2,otherRequester.1`);
      if (chosen) await page.locator('.bulk-bar select[name=action]').selectOption(chosen);
      const overflow = await horizontalOverflow(page);
      expect(overflow && describeOverflow(`ticket list, bulk action "${chosen}"`, page.url(), overflow)).toBeNull();
    }
    // Each row's box stays within reach on its card.
    const box = await page.locator('table.tickets tbody tr').nth(0).locator('input[name=ids]').boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
    await context.close();
  }, 60_000);
});
