import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEmail, validateTemplateOverride } from '../../../../src/mail/render-email.js';
import type { Actor } from '../../../../src/services/access.js';
import { previewAutoReply } from '../../../../src/services/auto-reply/preview-auto-reply.js';
import { updateAutoReply } from '../../../../src/services/auto-reply/update-auto-reply.js';
import { createInbox, type InboxDeps } from '../../../../src/services/inboxes/create-inbox.js';
import { updateInbox } from '../../../../src/services/inboxes/update-inbox.js';
import { createSecretBox } from '../../../../src/store/secret-box.js';
import { invalidFields } from '../../../helpers/app-error.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { TEST_SECRET_KEY, newInboxInput } from '../../../helpers/inbox.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const deps = (): InboxDeps => ({ ...db.stores, secrets: createSecretBox(TEST_SECRET_KEY), logger: testLogger, validateTemplate: validateTemplateOverride });
const NONE = { subject: null, template: null };
let n = 0;

beforeAll(async () => {
  db = await openTestDb('inbox_language');
});
afterAll(() => db.drop());

const newInbox = (extra: Record<string, unknown> = {}) => createInbox(deps(), admin, newInboxInput(`box${++n}@language.test`, extra));

describe('an inbox’s default language and its auto-reply texts per language', () => {
  it('is English unless given, and shows the texts of every language', async () => {
    const view = await newInbox();
    expect(view.defaultLocale).toBe('en');
    expect(view.autoReply).toEqual({ enabled: true, suggestArticles: true, subject: null, template: null, overrides: { en: NONE, fr: NONE } });
  });

  it('takes a default language and texts per language; plain subject/template are those of the default language', async () => {
    const view = await newInbox({
      defaultLocale: 'fr',
      autoReply: { enabled: true, subject: 'Bien reçu', overrides: { en: { subject: 'Got it', template: 'Hi {{customerName}}' }, fr: { template: 'Bonjour {{customerName}}' } } },
    });
    expect(view.defaultLocale).toBe('fr');
    expect(view.autoReply).toEqual({
      enabled: true,
      suggestArticles: true,
      subject: 'Bien reçu',
      template: 'Bonjour {{customerName}}',
      overrides: { en: { subject: 'Got it', template: 'Hi {{customerName}}' }, fr: { subject: 'Bien reçu', template: 'Bonjour {{customerName}}' } },
    });
  });

  it('refuses a language it does not speak and an override that would not render, naming the field', async () => {
    expect(await invalidFields(newInbox({ defaultLocale: 'de' }))).toEqual(['defaultLocale']);
    expect(await invalidFields(newInbox({ autoReply: { enabled: true, overrides: { fr: { template: 'Bonjour {{#if x}}' }, de: {} } } }))).toEqual(['autoReply.overrides.de']);
    expect(await invalidFields(newInbox({ autoReply: { enabled: true, overrides: { fr: { template: 'Bonjour {{#if x}}' } } } }))).toEqual(['autoReply.overrides.fr.template']);
  });

  it('changes the default language and one language’s texts, leaving the other language’s alone', async () => {
    const { id } = await newInbox({ autoReply: { enabled: true, overrides: { en: { subject: 'Got it' }, fr: { subject: 'Bien reçu' } } } });
    const view = await updateInbox(deps(), admin, id, { defaultLocale: 'fr', autoReply: { overrides: { fr: { template: 'Merci {{customerName}}' } } } });
    expect(view.defaultLocale).toBe('fr');
    expect(view.autoReply.overrides).toEqual({ en: { subject: 'Got it', template: null }, fr: { subject: 'Bien reçu', template: 'Merci {{customerName}}' } });
    // The plain fields follow the default language, as before languages.
    const plain = await updateInbox(deps(), admin, id, { autoReply: { subject: 'Reçu' } });
    expect(plain.autoReply.overrides).toEqual({ en: { subject: 'Got it', template: null }, fr: { subject: 'Reçu', template: 'Merci {{customerName}}' } });
    expect(await invalidFields(updateInbox(deps(), admin, id, { defaultLocale: 'es' }))).toEqual(['defaultLocale']);
  });

  it('the auto-reply settings save one language at a time, and preview in the language asked for', async () => {
    const { id } = await newInbox();
    const autoReplyDeps = { inboxes: db.stores.inboxes, logger: testLogger, validateTemplate: validateTemplateOverride, render: renderEmail };
    await updateAutoReply(autoReplyDeps, admin, id, { enabled: true, overrides: { fr: { subject: 'Bien reçu\u00a0: {{ticketSubject}}', template: '' } } });
    const view = await updateAutoReply(autoReplyDeps, admin, id, { enabled: false, subject: 'Got it: {{ticketSubject}}', template: null });
    expect(view.autoReply).toMatchObject({ enabled: false, overrides: { en: { subject: 'Got it: {{ticketSubject}}', template: null }, fr: { subject: 'Bien reçu\u00a0: {{ticketSubject}}', template: null } } });
    expect(await invalidFields(updateAutoReply(autoReplyDeps, admin, id, { enabled: true, overrides: { fr: { subject: '{{#if x}}', template: null } } }))).toEqual(['overrides.fr.subject']);

    // A French preview is written for a made-up French customer.
    const fr = await previewAutoReply(autoReplyDeps, admin, id, { subject: null, template: null, locale: 'fr' });
    expect(fr).toMatchObject({ locale: 'fr', subject: 'Nous avons bien reçu votre demande\u00a0: Ma commande n’est pas arrivée [#1042]' });
    expect(fr.text).toContain('Bonjour Camille Martin,');
    const byDefault = await previewAutoReply(autoReplyDeps, admin, id, { subject: null, template: null });
    expect(byDefault).toMatchObject({ locale: 'en', subject: 'We received your request: My order has not arrived [#1042]' });
  });
});
