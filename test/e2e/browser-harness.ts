import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Headless Chromium as the other browser tests start it (web-reply-flow, hostile-html). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** Signs in through the login form and waits for the inbox overview. */
export async function signIn(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('form[action="/login"] button[type=submit]');
  await page.waitForURL(`${base}/`);
}

/** The width of a phone: an iPhone 12–15's viewport in CSS pixels. */
export const PHONE = { width: 390, height: 844 };

/** Collects a page's script errors and the paths it asked for that answered 404, for a test to assert none. */
export function watchPageProblems(page: Page): { errors: string[]; missing: string[] } {
  const errors: string[] = [];
  const missing: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => void (r.status() === 404 && missing.push(new URL(r.url()).pathname)));
  return { errors, missing };
}

/**
 * Runs in the page: null when nothing scrolls sideways, else what overflows. The culprits are the
 * outermost elements that stick out of the viewport (their parent does not, and no clipping or scrolling
 * ancestor hides them), widest first, each named by a short selector path and the start of its text.
 */
const OVERFLOW_PROBE = `(() => {
  const vw = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth <= vw) return null;
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    for (const c of el.classList) s += '.' + c;
    return s;
  };
  const path = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) parts.unshift(name(e));
    return parts.join(' > ');
  };
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= vw + 0.5) return true;
    }
    return false;
  };
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if ((r.width === 0 && r.height === 0) || r.right <= vw + 0.5) continue;
    const parent = el.parentElement;
    if (parent && parent !== document.body && parent.getBoundingClientRect().right > vw + 0.5) continue;
    if (clipped(el)) continue;
    const text = (el.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 60);
    culprits.push({ element: path(el), width: Math.round(r.width), right: Math.round(r.right), text });
  }
  culprits.sort((a, b) => b.right - a.right);
  return { viewport: vw, scrollWidth, culprits: culprits.slice(0, 3) };
})()`;

export interface Overflow {
  viewport: number;
  scrollWidth: number;
  culprits: Array<{ element: string; width: number; right: number; text: string }>;
}

/**
 * Runs in the page, in one round trip: what scrolls sideways, and the top bar: where the user's name
 * (to /account) and Sign out are, visible as they are or once the phone menu is opened (as a tap on
 * its button does: the menu is a `<details>`, no script), and what scrolls sideways with it open.
 */
const PHONE_PAGE_PROBE = `(() => {
  const overflow = ${OVERFLOW_PROBE};
  const shown = (el) => !!el && el.checkVisibility({ visibilityProperty: true }) && el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().height > 0;
  const box = (el) => (shown(el) ? { x: el.getBoundingClientRect().x, width: el.getBoundingClientRect().width } : null);
  const name = document.querySelector('header.topbar a[href="/account"]');
  const signOut = document.querySelector('header.topbar form[action="/logout"] button[type=submit]');
  const menu = document.querySelector('header.topbar details.menu');
  const opened = !shown(name) && shown(menu && menu.querySelector(':scope > summary'));
  if (opened) menu.open = true;
  const bar = { opened, name: box(name), signOut: box(signOut), overflow: opened ? ${OVERFLOW_PROBE} : null };
  if (opened) menu.open = false;
  return { overflow, bar };
})()`;

/** One page checked at phone size (see {@link checkPhonePage}). */
export interface PhonePageCheck {
  /** What scrolls sideways, or null. */
  overflow: Overflow | null;
  /** The top bar: whether the menu had to be opened, where the name link and Sign out are (null: not shown), what scrolls sideways with the menu open. */
  bar: { opened: boolean; name: { x: number; width: number } | null; signOut: { x: number; width: number } | null; overflow: Overflow | null };
}

/** What scrolls sideways on the page now shown, and where its top bar's name link and Sign out are (opening the phone menu when they are behind it). */
export function checkPhonePage(page: Page): Promise<PhonePageCheck> {
  return page.evaluate<PhonePageCheck>(PHONE_PAGE_PROBE);
}

/**
 * Runs `tasks` on `tabs` pages of `context` at once, each task on the next free page: the pages share
 * the context's cookies (one sign-in), and the server renders one page while the browser lays out another.
 */
export async function onTabs(context: BrowserContext, tabs: number, tasks: Array<(page: Page) => Promise<void>>): Promise<void> {
  const queue = [...tasks];
  const pages = await Promise.all(Array.from({ length: Math.min(tabs, queue.length) }, () => context.newPage()));
  await Promise.all(pages.map(async (page) => {
    for (let task = queue.shift(); task; task = queue.shift()) await task(page);
  }));
}

/** What makes the page scroll sideways, or null when `scrollWidth <= innerWidth`. */
export function horizontalOverflow(page: Page): Promise<Overflow | null> {
  return page.evaluate<Overflow | null>(OVERFLOW_PROBE);
}

/** One line naming the page and the widest element, for a failure message. */
export function describeOverflow(label: string, url: string, o: Overflow): string {
  const widest = o.culprits[0];
  const who = widest ? `widest: ${widest.element} (${widest.width} px wide, right edge at ${widest.right} px) "${widest.text}"` : 'no single element found';
  const more = o.culprits.slice(1).map((c) => `${c.element} (right edge ${c.right} px)`).join('; ');
  return `${label} (${url}): ${o.scrollWidth} px wide at ${o.viewport} px; ${who}${more ? `; also ${more}` : ''}`;
}

/** Records the page's CSP violations (the event and the console line Chromium writes for each); call before loading a page. */
export async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const lines: string[] = [];
  page.on('console', (m) => void (/Content Security Policy/i.test(m.text()) && lines.push(m.text())));
  // Runs in the page (test code has no DOM types): each violation as its directive and what it blocked.
  await page.addInitScript(`window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));`);
  return async () => [...lines, ...(await page.evaluate<string[]>('window.cspViolations || []'))];
}
