import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, signInEveryRole, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let manager: Client;
let agent: Client;
const inbox = new Types.ObjectId();
let publicId = '';
let internalId = '';
let passwordTicket = '';
let unrelatedTicket = '';

const QUESTION =
  'Bonjour,\n\nje n’arrive plus à réinitialiser mon mot de passe : le lien de connexion ne marche pas. Rappelez-moi au 06 12 34 56 78 ou écrivez à claire.martin@client.test.\n\nClaire Martin\n-- \nClaire Martin, Acme SARL, +33 1 23 45 67 89';
const ANSWER =
  'Bonjour Claire,\n\nOuvrez la page de connexion et choisissez « Mot de passe oublié » : un nouveau lien vous est envoyé.\n\nLe 3 mars 2026, Claire Martin <claire.martin@client.test> a écrit :\n> je n’arrive plus à réinitialiser mon mot de passe';

const replyBox = (html: string) => /<textarea name="text" rows="7"[^>]*>([^<]*)<\/textarea>/.exec(html)?.[1] ?? null;
const card = (html: string) => /<section class="card kb-matches"[^]*?<\/section>/.exec(html)?.[0] ?? '';

async function ticket(number: number, subject: string, text: string, answer?: string): Promise<string> {
  const at = new Date(Date.now() - 3600_000);
  const t = await h.models.Ticket.create({ number, inboxId: inbox, subject, requester: { email: 'claire.martin@client.test', name: 'Claire Martin' }, status: 'open' });
  await h.models.Message.create({ ticketId: t._id, inboxId: inbox, direction: 'inbound', messageId: `q${number}@client.test`, from: { address: 'claire.martin@client.test', name: 'Claire Martin' }, subject, text, createdAt: at });
  await h.models.Message.create({ ticketId: t._id, inboxId: inbox, direction: 'note', text: 'Note interne : cliente pressée', createdAt: new Date(at.getTime() + 1000) });
  if (answer) await h.models.Message.create({ ticketId: t._id, inboxId: inbox, direction: 'outbound', messageId: `a${number}@desk.test`, subject: `Re: ${subject}`, text: answer, createdAt: new Date(at.getTime() + 2000) });
  return t._id.toHexString();
}

async function article(fields: Record<string, string>): Promise<string> {
  const form = await manager.get('/kb/new');
  const saved = await manager.post('/kb', { _csrf: Client.csrf(form.text), language: 'fr', visibility: 'public', status: 'published', categoryId: '', tags: '', action: 'save', ...fields });
  expect(saved.status).toBe(303);
  return /^\/kb\/([0-9a-f]{24})/.exec(saved.headers.get('location') ?? '')![1]!;
}

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create({ _id: inbox, name: 'Support', address: 'support@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  ({ manager, agent } = await signInEveryRole(h, inbox));
  publicId = await article({ title: 'Réinitialisation du mot de passe', body: 'Pour réinitialiser votre mot de passe, choisissez « Mot de passe oublié » sur la page de connexion.' });
  internalId = await article({ title: 'Mot de passe : procédure interne', body: 'Réinitialiser le mot de passe à la main dans la console.', visibility: 'internal' });
  await article({ title: 'Mot de passe oublié (brouillon)', body: 'Réinitialiser le mot de passe.', status: 'draft' });
  await article({ title: 'Forgot password', body: 'Reset your password from the sign-in page.', language: 'en' });
  passwordTicket = await ticket(101, 'Mot de passe oublié', QUESTION, ANSWER);
  unrelatedTicket = await ticket(102, 'Facture en double', 'Bonjour, j’ai reçu deux fois la même facture pour ma commande de chaises. Pouvez-vous annuler la seconde ? Merci');
});
afterAll(async () => h.close());

describe('matching articles on the ticket page', () => {
  it('lists the published articles of the customer’s language, internal ones marked, and offers the public ones to insert', async () => {
    const page = await agent.get(`/tickets/${passwordTicket}`);
    expect(page.status).toBe(200);
    const matches = card(page.text);
    expect(matches).toContain('Matching articles');
    expect(matches).toContain(`<a href="/kb/${publicId}">Réinitialisation du mot de passe</a>`);
    expect(matches).toMatch(new RegExp(`<a href="/kb/${internalId}">Mot de passe : procédure interne</a> <span class="badge">Internal</span>`));
    expect(matches).not.toMatch(/brouillon|Forgot password/);
    // Like the canned reply picker: a GET form back to the page, and a data URL for a script.
    expect(matches).toContain(`<form class="kb-link-picker" method="get" action="/tickets/${passwordTicket}#reply" data-kb-link-url="/tickets/${passwordTicket}/kb-link-text">`);
    const options = [...matches.matchAll(/<option value="([0-9a-f]{24})"/g)].map((m) => m[1]);
    expect(options).toEqual([publicId]);
    // Agents an admin did not allow to write articles are not offered to draft one.
    expect(matches).not.toContain('/kb/new?fromTicket');
    expect(card((await manager.get(`/tickets/${passwordTicket}`)).text)).toContain(`<a class="button" href="/kb/new?fromTicket&#x3D;${passwordTicket}">Create article from this ticket</a>`);
  });

  it('shows no card to an agent for an unrelated ticket, and "none" to an editor', async () => {
    expect(card((await agent.get(`/tickets/${unrelatedTicket}`)).text)).toBe('');
    const forEditor = card((await manager.get(`/tickets/${unrelatedTicket}`)).text);
    expect(forEditor).toContain('No published article matches this ticket.');
    expect(forEditor).not.toContain('<option');
  });

  it('"Insert link" adds "title: link" after the saved draft without script, and gives the same line as JSON', async () => {
    const line = /^Réinitialisation du mot de passe: http:\/\/127\.0\.0\.1:\d+\/help\/fr\/reinitialisation-du-mot-de-passe$/;
    expect(replyBox((await agent.get(`/tickets/${passwordTicket}?kbArticle=${publicId}`)).text)).toMatch(line);
    const page = await agent.get(`/tickets/${passwordTicket}`);
    const saved = await agent.post(`/tickets/${passwordTicket}/draft`, { _csrf: Client.csrf(page.text), text: 'Bonjour,\n\nvoici la marche à suivre :' });
    expect(saved.status).toBe(303);
    const box = replyBox((await agent.get(`/tickets/${passwordTicket}?kbArticle=${publicId}`)).text)!;
    expect(box.split('\n\n')[0]).toBe('Bonjour,');
    expect(box.split('\n\n').pop()).toMatch(line);
    // An internal article or a stale id adds nothing.
    expect(replyBox((await agent.get(`/tickets/${passwordTicket}?kbArticle=${internalId}`)).text)).toBe('Bonjour,\n\nvoici la marche à suivre :');
    const json = await agent.get(`/tickets/${passwordTicket}/kb-link-text?kbArticle=${publicId}`);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect((JSON.parse(json.text) as { text: string }).text).toMatch(line);
    expect(JSON.parse((await agent.get(`/tickets/${passwordTicket}/kb-link-text?kbArticle=${internalId}`)).text)).toEqual({ text: '' });
    expect((await agent.get(`/tickets/${new Types.ObjectId().toHexString()}/kb-link-text?kbArticle=${publicId}`)).status).toBe(404);
  });
});

describe('create article from this ticket', () => {
  it('pre-fills a draft in the customer’s language without quotes, signature, notes or the customer’s details', async () => {
    expect((await agent.get(`/kb/new?fromTicket=${passwordTicket}`)).status).toBe(403);
    const form = await manager.get(`/kb/new?fromTicket=${passwordTicket}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="title" value="Mot de passe oublié"');
    expect(form.text).toContain(`<input type="hidden" name="fromTicket" value="${passwordTicket}">`);
    expect(form.text).toContain(`<a href="/tickets/${passwordTicket}">#101</a>`);
    expect(form.text).toMatch(/<option value="fr" selected>/);
    const body = /<textarea name="body"[^>]*>([^<]*)<\/textarea>/.exec(form.text)![1]!;
    expect(body).toContain('## Question');
    expect(body).toContain('## Réponse');
    expect(body).toContain('Rappelez-moi au [numéro de téléphone] ou écrivez à [adresse e-mail].');
    expect(body).toContain('Bonjour [nom],');
    expect(body).not.toMatch(/Claire|Martin|06 12|claire\.martin|Acme|\+33|Note interne|a écrit/);
  });

  it('saves it as a draft linked back to the ticket, which says so on its trail; the article page links the ticket', async () => {
    const form = await manager.get(`/kb/new?fromTicket=${passwordTicket}`);
    const body = /<textarea name="body"[^>]*>([^<]*)<\/textarea>/.exec(form.text)![1]!.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
    const saved = await manager.post('/kb', {
      _csrf: Client.csrf(form.text), fromTicket: passwordTicket, title: 'Mot de passe oublié', body, language: 'fr', visibility: 'public', status: 'draft', categoryId: '', tags: '', action: 'save',
    });
    expect(saved.status).toBe(303);
    const id = /^\/kb\/([0-9a-f]{24})/.exec(saved.headers.get('location') ?? '')![1]!;
    const stored = (await h.models.KbArticle.findById(id).lean())!;
    expect(stored).toMatchObject({ status: 'draft', language: 'fr' });
    expect(stored.sourceTicketId?.toHexString()).toBe(passwordTicket);
    const trail = await h.models.TicketEvent.find({ ticketId: new Types.ObjectId(passwordTicket), type: 'kb_article_drafted' }).lean();
    expect(trail).toHaveLength(1);
    expect(trail[0]!.data).toMatchObject({ articleId: id, title: 'Mot de passe oublié' });
    const ticketPage = await manager.get(`/tickets/${passwordTicket}`);
    expect(ticketPage.text).toContain(`Max drafted an article from this ticket: <a href="/kb/${id}">Mot de passe oublié</a>`);
    const articlePage = await manager.get(`/kb/${id}`);
    expect(articlePage.text).toContain(`Drafted from ticket: <a href="/tickets/${passwordTicket}">#101</a>`);
  });

  it('refuses a ticket the editor cannot see', async () => {
    expect((await manager.get(`/kb/new?fromTicket=${new Types.ObjectId().toHexString()}`)).status).toBe(404);
  });
});
