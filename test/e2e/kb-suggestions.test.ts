import type { AddressInfo } from 'node:net';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../src/mail/parse-mail.js';
import { createKbArticle } from '../../src/services/kb/create-kb-article.js';
import { startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { createImapInbox } from '../helpers/inbox.js';
import { rawMail } from '../helpers/mail.js';
import { startRuntime } from '../helpers/runtime.js';
import { startSmtp, type ReceivedMail, type TestSmtp } from '../helpers/smtp.js';

// Issue 19: a published French article is suggested, with its link, in the auto-reply to a French
// customer mail about it; a mail about something else gets the acknowledgement alone.
const PUBLIC_URL = 'https://help.acme.test';
let dovecot: DovecotServer;
let smtp: TestSmtp;
let app: Awaited<ReturnType<typeof startRuntime>>;
let base: string;

beforeAll(async () => {
  dovecot = await startDovecot(['support@help.example.test']);
  smtp = await startSmtp();
  app = await startRuntime('kbsuggest', ['web', 'jobs', 'poller'], { PUBLIC_URL });
  base = `http://127.0.0.1:${(app.servers[0]!.address() as AddressInfo).port}`;
  const box = await createImapInbox(app.models, { address: 'support@help.example.test', port: dovecot.port, password: dovecot.password });
  await app.models.Inbox.updateOne({ _id: box._id }, { $set: { smtp: { host: '127.0.0.1', port: smtp.port, secure: false } } });
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await smtp?.close();
  await dovecot?.stop();
});

const to = (address: string) => (m: ReceivedMail) => m.rcptTo.includes(address);

async function autoReplyTo(from: string, subject: string, body: string) {
  await dovecot.append('support@help.example.test', rawMail({ from, to: 'support@help.example.test', messageId: `${new Types.ObjectId().toHexString()}@client.test`, subject, body: body.replace(/\n/g, '\r\n'), headers: [`Return-Path: <${from.replace(/^.*<|>$/g, '')}>`] }));
  const address = from.replace(/^.*<|>$/g, '');
  await expect.poll(() => smtp.received.filter(to(address)).length, { timeout: 20_000 }).toBe(1);
  return parseMail(smtp.received.find(to(address))!.raw, { maxBytes: 1e6 });
}

describe('suggested articles in the auto-reply, end to end (Dovecot → poller → jobs → SMTP)', () => {
  it('links the matching published French article in the French acknowledgement, and the link opens it', async () => {
    const manager = { userId: new Types.ObjectId(), role: 'manager' as const, inboxIds: [] };
    await createKbArticle({ ...app.runtime.stores, now: () => new Date() }, manager, {
      title: 'Réinitialisation du mot de passe',
      body: 'Ouvrez la page de connexion, choisissez **Mot de passe oublié** et suivez le lien reçu par e-mail.',
      language: 'fr',
      status: 'published',
    });

    const reply = await autoReplyTo(
      'Claire Martin <claire@client.test>',
      'Impossible de réinitialiser mon mot de passe',
      'Bonjour,\n\nje voudrais réinitialiser mon mot de passe mais le lien de la page de connexion ne marche pas depuis ce matin.\n\nMerci,\nClaire',
    );
    expect(reply.subject).toMatch(/^Nous avons bien reçu votre demande/);
    const link = `${PUBLIC_URL}/help/fr/reinitialisation-du-mot-de-passe`;
    expect(reply.text).toContain(`- Réinitialisation du mot de passe\u00a0: ${link}`);
    expect(reply.html).toContain(`<a href="${link}">Réinitialisation du mot de passe</a>`);

    const page = await fetch(`${base}${new URL(link).pathname}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Réinitialisation du mot de passe');
  }, 60_000);

  it('sends an unrelated mail the acknowledgement without articles', async () => {
    const reply = await autoReplyTo('Paul Durand <paul@client.test>', 'Livraison en retard', 'Bonjour,\n\nma commande de chaises passée lundi n’est toujours pas livrée. Où en est le colis ?\n\nMerci,\nPaul');
    expect(reply.subject).toMatch(/^Nous avons bien reçu votre demande/);
    expect(reply.text).not.toContain('/help/');
    expect(reply.text).not.toContain('Ces articles');
  }, 60_000);
});
