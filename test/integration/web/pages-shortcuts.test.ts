import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createI18n } from '../../../src/i18n/catalog.js';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

// Issue 16: a skip link first on every page, and the keyboard shortcuts' script and help on every
// signed-in page, in the page's language.
let h: Awaited<ReturnType<typeof startPages>>;
let ticketId: string;
const inbox = new Types.ObjectId();
const i18n = createI18n();
const en = i18n.translator('en');
const fr = i18n.translator('fr');

/** The first focusable element of the body: the first link, button or field after `<body>`. */
const firstFocusable = (html: string) => /<body>\s*(<(a|button|input|select|textarea)\b[^>]*>)/.exec(html)?.[1] ?? null;
// Handlebars writes the URL's `=` as `&#x3D;` in the attribute; the browser reads it back as `=`.
const scriptUrl = (html: string) => /<script src="(\/static\/shortcuts\.js\?v(?:=|&#x3D;)[0-9a-f]+)" defer><\/script>/.exec(html)?.[1]?.replace('&#x3D;', '=') ?? null;
const helpOf = (html: string) => /<dialog id="shortcuts-help"[\s\S]*?<\/dialog>/.exec(html)?.[0] ?? null;

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create({ _id: inbox, name: 'Helpdesk', address: 'help@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  await createUser(h.models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [inbox], name: 'Gina' });
  ticketId = (await h.models.Ticket.create({ number: 7, inboxId: inbox, subject: 'Printer jam', requester: { email: 'paul@customer.test' }, status: 'open', lastActivityAt: new Date() }))._id.toHexString();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('the skip link', () => {
  it('comes first on the login page and leads to the main content', async () => {
    const page = await new Client(h.base).get('/login');
    expect(firstFocusable(page.text)).toBe(`<a class="skip-link" href="#main">`);
    expect(page.text).toContain(`>${en.t('web:layout.skip')}</a>`);
    expect(page.text).toContain('<main class="page" id="main" tabindex="-1">');
    // Nothing to shortcut before signing in.
    expect(scriptUrl(page.text)).toBeNull();
    expect(helpOf(page.text)).toBeNull();
  });

  it('on the ticket list leads to the tickets themselves, and to the main content when there are none', async () => {
    const gina = await Client.signedIn(h.base, 'gina@example.test', 'gina password 123');
    const list = await gina.get('/tickets');
    expect(firstFocusable(list.text)).toBe(`<a class="skip-link" href="#results">`);
    expect(list.text).toMatch(/<table class="tickets" id="results" tabindex="-1">[\s\S]*href="\/tickets\/[0-9a-f]{24}">Printer jam</);
    const empty = await gina.get('/tickets?tag=nothing-here');
    expect(firstFocusable(empty.text)).toBe(`<a class="skip-link" href="#main">`);
    expect(empty.text).not.toContain('id="results"');
    const ticket = await gina.get(`/tickets/${ticketId}`);
    expect(firstFocusable(ticket.text)).toBe(`<a class="skip-link" href="#main">`);
  });
});

describe('the keyboard shortcuts', () => {
  it('load from our own script on every signed-in page, with their help in English', async () => {
    const gina = await Client.signedIn(h.base, 'gina@example.test', 'gina password 123');
    for (const path of ['/notifications', '/tickets', `/tickets/${ticketId}`, '/account']) {
      const page = await gina.get(path);
      expect(scriptUrl(page.text), path).not.toBeNull();
      expect(helpOf(page.text), path).not.toBeNull();
    }
    const page = await gina.get('/tickets');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const help = helpOf(page.text)!;
    expect(help).toContain(`<h2 id="shortcuts-help-title">${en.t('web:layout.shortcuts.title')}</h2>`);
    for (const key of ['nextPrevious', 'open', 'search', 'reply', 'note', 'assign', 'solve', 'help', 'close', 'typing']) {
      expect(help).toContain(en.t(`web:layout.shortcuts.${key}`));
    }
    expect(help).toContain('<kbd>j</kbd> <kbd>k</kbd>');
    expect(help).toContain('<kbd>?</kbd>');

    const script = await gina.get(scriptUrl(page.text)!);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect(script.text).toContain("document.getElementById('shortcuts-help')");
  });

  it('are explained in French to a French browser, skip link included', async () => {
    const camille = new Client(h.base, undefined, { 'accept-language': 'fr-FR,fr;q=0.9' });
    expect((await camille.login('gina@example.test', 'gina password 123')).status).toBe(303);
    const page = await camille.get(`/tickets/${ticketId}`);
    expect(page.text).toContain('<html lang="fr">');
    expect(page.text).toContain(`<a class="skip-link" href="#main">${fr.t('web:layout.skip')}</a>`);
    expect(fr.t('web:layout.skip')).toBe('Aller au contenu');
    const help = helpOf(page.text)!;
    expect(help).toContain(`>${fr.t('web:layout.shortcuts.title')}</h2>`);
    expect(fr.t('web:layout.shortcuts.title')).not.toBe(en.t('web:layout.shortcuts.title'));
    for (const key of ['enterKey', 'escapeKey', 'reply', 'solve', 'typing', 'closeButton']) {
      expect(help).toContain(fr.t(`web:layout.shortcuts.${key}`));
    }
    expect(help).not.toContain(en.t('web:layout.shortcuts.typing'));
  });
});
