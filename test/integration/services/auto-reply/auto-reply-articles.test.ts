import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../../../src/mail/parse-mail.js';
import type { Actor } from '../../../../src/services/access.js';
import { sendAutoReply, type AutoReplyDeps } from '../../../../src/services/auto-reply/send-auto-reply.js';
import { updateAutoReply } from '../../../../src/services/auto-reply/update-auto-reply.js';
import { createKbArticle } from '../../../../src/services/kb/create-kb-article.js';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import { autoReplyDeps, customerMail } from '../../../helpers/auto-reply.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { noJobs } from '../../../helpers/use-case-deps.js';

const PUBLIC_URL = 'https://help.example.test';
const manager: Actor = { userId: new Types.ObjectId(), role: 'manager', inboxIds: [] };

let fx: Awaited<ReturnType<typeof ingestFixture>>;
let deps: AutoReplyDeps;
const warnings: string[] = [];

beforeAll(async () => {
  fx = await ingestFixture('auto_reply_articles');
  const logger = { ...autoReplyDeps(fx, noJobs).logger, warn: (_o: unknown, msg: string) => void warnings.push(msg) } as unknown as AutoReplyDeps['logger'];
  // Each test writes as its own customer, but the window would hold back a second auto-reply to one.
  deps = { ...autoReplyDeps(fx, noJobs), publicUrl: PUBLIC_URL, logger, settings: { windowSeconds: 0, hourlyCap: 1000, maxMailAgeSeconds: 86_400 } };
});
afterAll(() => fx.db.drop());

/** A customer's mail opens a ticket; the auto-reply job runs for it. Returns what was queued, parsed. */
async function mailAndAutoReply(subject: string, body: string, over: Partial<AutoReplyDeps> = {}) {
  fx.clock.now = new Date();
  const raw = customerMail({ from: `Claire Martin <c${randomUUID().slice(0, 8)}@client.test>`, messageId: `${randomUUID()}@customer.test`, subject, body });
  const result = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw, source: null });
  const { messageDocId } = result as { messageDocId: Types.ObjectId };
  expect(await sendAutoReply({ ...deps, ...over }, messageDocId)).toBe('queued');
  const item = (await fx.models.Outbox.findOne({ dedupeKey: `auto-reply:${messageDocId.toHexString()}` }).lean())!;
  const rawOut = Buffer.isBuffer(item.raw) ? item.raw : Buffer.from((item.raw as unknown as { buffer: Uint8Array }).buffer);
  const mail = await parseMail(rawOut, { maxBytes: 10 * 1024 * 1024 });
  return { text: mail.text ?? '', html: mail.html ?? '' };
}

const PASSWORD_MAIL = {
  subject: 'Mot de passe oublié',
  body: 'Bonjour,\n\nje n’arrive plus à réinitialiser mon mot de passe depuis hier soir, le lien de connexion ne marche pas. Pouvez-vous m’aider ?\n\nMerci,\nClaire',
};
const ARTICLES_FR = /Ces articles de notre centre d’aide répondent peut-être déjà à votre question\u00a0:/;

describe('suggested articles in the auto-reply', () => {
  it('sends none while the knowledge base is empty, and the acknowledgement goes as usual', async () => {
    const reply = await mailAndAutoReply(PASSWORD_MAIL.subject, PASSWORD_MAIL.body);
    expect(reply.text).toContain('Nous vous répondrons dans les meilleurs délais.');
    expect(reply.text).not.toMatch(ARTICLES_FR);
    expect(reply.html).not.toContain('/help/');
  });

  it('lists three matching published public French articles, with their links, for a French mail', async () => {
    const write = (title: string, body: string, more: Record<string, unknown> = {}) =>
      createKbArticle({ ...fx.stores, now: () => new Date() }, manager, { title, body, language: 'fr', status: 'published', ...more });
    await write('Réinitialisation du mot de passe', 'Pour réinitialiser votre mot de passe, choisissez « Mot de passe oublié » sur la page de connexion.');
    await write('Mot de passe oublié', 'Un lien de réinitialisation vous est envoyé par e-mail.');
    await write('Changer de mot de passe', 'Dans votre compte, rubrique Sécurité, saisissez l’ancien puis le nouveau mot de passe.');
    await write('Mot de passe et connexion', 'Les règles du mot de passe et les soucis de connexion.');
    // Not for customers: a draft, an internal article, an English one, an unrelated one.
    await write('Mot de passe oublié (brouillon)', 'Réinitialiser le mot de passe.', { status: 'draft' });
    await write('Mot de passe oublié : procédure interne', 'Réinitialiser le mot de passe à la main.', { visibility: 'internal' });
    await createKbArticle({ ...fx.stores, now: () => new Date() }, manager, { title: 'Forgot password', body: 'Reset your password.', language: 'en', status: 'published' });
    await write('Suivre une livraison', 'Le numéro de suivi de votre colis est dans l’e-mail d’expédition.');

    const reply = await mailAndAutoReply(PASSWORD_MAIL.subject, PASSWORD_MAIL.body);
    expect(reply.text).toMatch(ARTICLES_FR);
    // French typography: a no-break space before the colon.
    const links = [...reply.text.matchAll(/^- (.+)\u00a0: (https:\/\/\S+)$/gm)].map((m) => [m[1], m[2]]);
    expect(links).toHaveLength(3);
    for (const [, url] of links) expect(url).toMatch(/^https:\/\/help\.example\.test\/help\/fr\/[a-z0-9-]+$/);
    expect(links.map((l) => l[0])).toEqual(expect.arrayContaining(['Réinitialisation du mot de passe', 'Mot de passe oublié']));
    for (const hidden of ['brouillon', 'interne', 'Forgot', 'livraison']) expect(reply.text).not.toContain(hidden);
    expect(reply.html).toContain('<a href="https://help.example.test/help/fr/reinitialisation-du-mot-de-passe">Réinitialisation du mot de passe</a>');
  });

  it('sends none for an unrelated mail', async () => {
    const reply = await mailAndAutoReply('Facture en double', 'Bonjour,\n\nj’ai reçu deux fois la même facture pour ma commande de chaises de mars. Pouvez-vous annuler la seconde ?\n\nMerci');
    expect(reply.text).toContain('Nous vous répondrons dans les meilleurs délais.');
    expect(reply.text).not.toMatch(ARTICLES_FR);
    expect(reply.html).not.toContain('/help/');
  });

  it('keeps listing them after an inbox’s own text, unless that text lists them itself', async () => {
    await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { 'autoReply.overrides.fr': { subject: null, template: 'Merci {{customerName}}, demande n° {{ticketNumber}}.' } } });
    try {
      const own = await mailAndAutoReply(PASSWORD_MAIL.subject, PASSWORD_MAIL.body);
      expect(own.text).toContain('Merci Claire Martin, demande n°');
      expect(own.text).toMatch(ARTICLES_FR);
      await fx.models.Inbox.updateOne(
        { _id: fx.inbox._id },
        { $set: { 'autoReply.overrides.fr': { subject: null, template: 'Lisez d’abord :{{#each articles}} {{title}} <{{url}}>{{/each}}' } } },
      );
      const listed = await mailAndAutoReply(PASSWORD_MAIL.subject, PASSWORD_MAIL.body);
      expect(listed.text).toMatch(/Lisez d’abord : .*<https:\/\/help\.example\.test\/help\/fr\//);
      expect(listed.text).not.toMatch(ARTICLES_FR);
    } finally {
      await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $unset: { 'autoReply.overrides': 1 } });
    }
  });

  it('sends the acknowledgement without them when the knowledge base fails, and says so in the log', async () => {
    const failing = { suggestionCandidates: () => Promise.reject(new Error('kb down')) };
    const reply = await mailAndAutoReply(PASSWORD_MAIL.subject, PASSWORD_MAIL.body, { kbArticles: failing });
    expect(reply.text).toContain('Nous vous répondrons dans les meilleurs délais.');
    expect(reply.text).not.toMatch(ARTICLES_FR);
    expect(warnings).toContain('suggested articles left out of an auto-reply');
  });

  it('sends none when the inbox turned them off, through its auto-reply settings', async () => {
    const manager: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
    const settingsDeps = { inboxes: fx.stores.inboxes, logger: deps.logger };
    const off = await updateAutoReply(settingsDeps, manager, fx.inbox._id.toHexString(), { enabled: true, suggestArticles: false });
    expect(off.autoReply).toMatchObject({ enabled: true, suggestArticles: false });
    try {
      expect((await mailAndAutoReply(PASSWORD_MAIL.subject, PASSWORD_MAIL.body)).text).not.toMatch(ARTICLES_FR);
      // Saved again without naming it: still off.
      expect((await updateAutoReply(settingsDeps, manager, fx.inbox._id.toHexString(), { enabled: true })).autoReply.suggestArticles).toBe(false);
    } finally {
      await updateAutoReply(settingsDeps, manager, fx.inbox._id.toHexString(), { enabled: true, suggestArticles: true });
    }
    expect((await mailAndAutoReply(PASSWORD_MAIL.subject, PASSWORD_MAIL.body)).text).toMatch(ARTICLES_FR);
  });

  it('sends none without a public address to link to', async () => {
    const reply = await mailAndAutoReply(PASSWORD_MAIL.subject, PASSWORD_MAIL.body, { publicUrl: null });
    expect(reply.text).not.toMatch(ARTICLES_FR);
  });
});
