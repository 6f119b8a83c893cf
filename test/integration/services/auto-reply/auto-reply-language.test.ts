import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../../../src/mail/parse-mail.js';
import { renderEmail } from '../../../../src/mail/render-email.js';
import type { Actor } from '../../../../src/services/access.js';
import { sendAutoReply, type AutoReplyDeps } from '../../../../src/services/auto-reply/send-auto-reply.js';
import { updateAutoReply } from '../../../../src/services/auto-reply/update-auto-reply.js';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import { replyToTicket } from '../../../../src/services/tickets/send-reply.js';
import { autoReplyDeps, customerMail } from '../../../helpers/auto-reply.js';
import { testLogger } from '../../../helpers/db.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { rawMail } from '../../../helpers/mail.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

const FRENCH =
  'Bonjour,\n\nje n’arrive plus à me connecter à mon compte depuis la mise à jour d’hier soir. Pouvez-vous regarder ce qui se passe ?\n\nMerci d’avance,\nClaire';
const ENGLISH = 'Hello,\n\nI can no longer log in to my account since the update last night. Could you please have a look at what is going on?\n\nThanks,\nClaire';

let fx: Awaited<ReturnType<typeof ingestFixture>>;
let deps: AutoReplyDeps;

beforeAll(async () => {
  fx = await ingestFixture('auto_reply_language');
  // Each test writes as its own customer, but the window would hold back a second auto-reply to one.
  deps = { ...autoReplyDeps(fx, noJobs), settings: { windowSeconds: 0, hourlyCap: 1000, maxMailAgeSeconds: 86_400 } };
});
afterAll(() => fx.db.drop());

/** A customer's mail opens a ticket; the auto-reply job runs for it. Returns what was queued, parsed. */
async function mailAndAutoReply(from: string, body: string, subject = 'Connexion impossible / cannot log in') {
  fx.clock.now = new Date();
  const raw = customerMail({ from, messageId: `${randomUUID()}@customer.test`, subject, body });
  const result = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw, source: null });
  expect(result).toMatchObject({ outcome: 'ticketed', created: true });
  const { ticketId, messageDocId } = result as { ticketId: Types.ObjectId; messageDocId: Types.ObjectId };
  expect(await sendAutoReply(deps, messageDocId)).toBe('queued');
  const item = (await fx.models.Outbox.findOne({ dedupeKey: `auto-reply:${messageDocId.toHexString()}` }).lean())!;
  const raw2 = Buffer.isBuffer(item.raw) ? item.raw : Buffer.from((item.raw as unknown as { buffer: Uint8Array }).buffer);
  const mail = await parseMail(raw2, { maxBytes: 10 * 1024 * 1024 });
  return { ticketId, subject: item.subject, text: mail.text ?? '', html: mail.html ?? '' };
}

const contactLocale = async (email: string) => (await fx.models.Contact.findOne({ email }).lean())?.locale ?? null;

describe('auto-replies in the customer’s language, from one inbox', () => {
  it('answers a French mail in French and an English mail in English', async () => {
    const fr = await mailAndAutoReply('Claire Martin <claire@client.test>', FRENCH);
    expect(fr.subject).toMatch(/^Nous avons bien reçu votre demande\u00a0: Connexion impossible \/ cannot log in \[#\d+\]$/);
    expect(fr.text).toContain('Bonjour Claire Martin,');
    expect(fr.text).toContain('Nous vous répondrons dans les meilleurs délais.');
    expect(fr.html).toMatch(/<html lang="fr"/);
    expect(await contactLocale('claire@client.test')).toBe('fr');

    const en = await mailAndAutoReply('Claire Miller <miller@client.test>', ENGLISH);
    expect(en.subject).toMatch(/^We received your request: Connexion impossible \/ cannot log in \[#\d+\]$/);
    expect(en.text).toContain('Hi Claire Miller,');
    expect(en.text).toContain('Thanks for getting in touch.');
    expect(en.html).toMatch(/<html lang="en"/);
    expect(await contactLocale('miller@client.test')).toBe('en');
  });

  it('answers a short mail in the language remembered for its writer, else in the inbox’s default language', async () => {
    // Remembered from a French mail before.
    await mailAndAutoReply('remembered@client.test', FRENCH);
    const again = await mailAndAutoReply('remembered@client.test', 'Merci !', 'Encore moi');
    expect(again.subject).toMatch(/^Nous avons bien reçu votre demande/);
    expect(await contactLocale('remembered@client.test')).toBe('fr');

    // A new customer who says too little: the inbox's language, English, then French once the inbox is set so.
    expect((await mailAndAutoReply('terse1@client.test', 'Help?', 'Help')).subject).toMatch(/^We received your request/);
    await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { defaultLocale: 'fr' } });
    try {
      expect((await mailAndAutoReply('terse2@client.test', 'Help?', 'Help')).subject).toMatch(/^Nous avons bien reçu votre demande/);
    } finally {
      await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { defaultLocale: 'en' } });
    }
  });

  it('changes the remembered language when a longer mail is clearly in another one', async () => {
    await mailAndAutoReply('switch@client.test', FRENCH);
    expect(await contactLocale('switch@client.test')).toBe('fr');
    const en = await mailAndAutoReply('switch@client.test', ENGLISH, 'Another question');
    expect(en.subject).toMatch(/^We received your request/);
    expect(await contactLocale('switch@client.test')).toBe('en');
  });

  it('uses the inbox’s own text of the customer’s language, and the default text in a language without one', async () => {
    const manager = { userId: null, role: 'admin', inboxIds: [] } as unknown as Actor;
    await updateAutoReply({ inboxes: fx.stores.inboxes, logger: testLogger }, manager, fx.inbox._id.toHexString(), {
      enabled: true,
      overrides: { fr: { subject: 'Bien reçu\u00a0: {{ticketSubject}}', template: 'Bonjour {{customerName}},\n\nvotre demande n°\u00a0{{ticketNumber}} est entre de bonnes mains.' } },
    });
    try {
      const fr = await mailAndAutoReply('Paul <paul@client.test>', FRENCH, 'Mot de passe');
      expect(fr.subject).toMatch(/^Bien reçu\u00a0: Mot de passe \[#\d+\]$/);
      expect(fr.text).toMatch(/^Bonjour Paul,\n\nvotre demande n°\u00a0\d+ est entre de bonnes mains\./);
      const en = await mailAndAutoReply('Pat <pat@client.test>', ENGLISH, 'Password');
      expect(en.subject).toMatch(/^We received your request: Password \[#\d+\]$/);
    } finally {
      await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { 'autoReply.overrides.fr': { subject: null, template: null } } });
    }
  });

  it('writes an agent’s reply in the customer’s remembered language', async () => {
    const { ticketId } = await mailAndAutoReply('Zoé <zoe@client.test>', FRENCH, 'Facture');
    const agent = await fx.models.User.create({ email: 'sam@acme.test', name: 'Sam', role: 'admin', passwordHash: 'x' });
    const replyDeps = { ...fx.stores, scheduler: noJobs, compose, sign: fx.deps.sign, now: fx.deps.now, render: renderEmail };
    const item = await replyToTicket(replyDeps, { userId: agent._id, role: 'admin', inboxIds: [] }, ticketId.toHexString(), { form: { text: 'Bonjour Zoé,\n\nc’est corrigé.' } });
    const raw = Buffer.isBuffer(item.raw) ? item.raw : Buffer.from((item.raw as unknown as { buffer: Uint8Array }).buffer);
    const mail = await parseMail(raw, { maxBytes: 10 * 1024 * 1024 });
    expect(mail.text).toMatch(/Sam · Support · demande \[#\d+\]/);
    expect(mail.html).toMatch(/<html lang="fr"/);
  });
});

describe('the language of a mail joining a ticket', () => {
  it('is remembered for its writer only when it is long and clear', async () => {
    const first = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: rawMail({ from: 'joiner@client.test', messageId: 'join-1@client.test', subject: 'Commande', body: FRENCH }), source: null });
    expect(await contactLocale('joiner@client.test')).toBe('fr');
    const ticketId = (first as { ticketId: Types.ObjectId }).ticketId;
    const reply = (body: string, n: number) =>
      ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: rawMail({ from: 'joiner@client.test', messageId: `join-${n}@client.test`, inReplyTo: 'join-1@client.test', subject: 'Re: Commande', body }), source: null });
    expect(await reply('OK thanks', 2)).toMatchObject({ ticketId });
    expect(await contactLocale('joiner@client.test')).toBe('fr');
    expect(await reply(ENGLISH, 3)).toMatchObject({ ticketId });
    expect(await contactLocale('joiner@client.test')).toBe('en');
  });
});
