import { Types } from 'mongoose';
import { afterEach, describe, expect, it } from 'vitest';
import { inboxLanguages } from '../../../src/store/migrations/0002-inbox-languages.js';
import { MIGRATIONS } from '../../../src/store/migrations/registry.js';
import { testLogger } from '../../helpers/db.js';
import { previousRelease } from '../../helpers/migrations.js';

const opened: Array<{ drop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.drop()));
});

const account = { host: 'h', port: 993, secure: true, user: null, passwordSealed: null };
const inbox = (address: string, autoReply: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  _id: new Types.ObjectId(),
  name: address,
  address,
  imap: { ...account, folder: 'INBOX' },
  smtp: account,
  options: { markSeen: false },
  autoReply,
  branding: {},
  ...extra,
});

describe('0002-inbox-languages: inboxes from before languages', () => {
  it('get a default language, and their one auto-reply override becomes that language’s', async () => {
    const old = await previousRelease('inbox_languages', 1);
    opened.push(old);
    const overridden = inbox('billing@acme.test', { enabled: true, subject: 'Got it: {{ticketSubject}}', template: 'Hello {{customerName}}' });
    const plain = inbox('support@acme.test', { enabled: false, subject: null, template: null });
    const french = inbox('aide@acme.test', { enabled: true, subject: 'Bien reçu', template: null }, { defaultLocale: 'fr' });
    await old.db.collection('inboxes').insertMany([overridden, plain, french]);

    const outcome = await old.upgrade();
    // This one, then whatever later releases added.
    expect(outcome.applied.map((a) => a.name)).toEqual(MIGRATIONS.filter((m) => m.version >= 2).map((m) => m.name));
    expect(outcome.applied[0]!.name).toBe('inbox-languages');

    const byAddress = async (address: string) => old.db.collection('inboxes').findOne({ address }, { projection: { _id: 0, defaultLocale: 1, autoReply: 1 } });
    expect(await byAddress('billing@acme.test')).toEqual({
      defaultLocale: 'en',
      autoReply: { enabled: true, overrides: { en: { subject: 'Got it: {{ticketSubject}}', template: 'Hello {{customerName}}' }, fr: { subject: null, template: null } } },
    });
    expect(await byAddress('support@acme.test')).toEqual({
      defaultLocale: 'en',
      autoReply: { enabled: false, overrides: { en: { subject: null, template: null }, fr: { subject: null, template: null } } },
    });
    expect(await byAddress('aide@acme.test')).toEqual({
      defaultLocale: 'fr',
      autoReply: { enabled: true, overrides: { en: { subject: null, template: null }, fr: { subject: 'Bien reçu', template: null } } },
    });

    // Run again, as after a crash before its record: nothing changes, and an inbox saved since keeps its texts.
    await old.db.collection('inboxes').updateOne({ address: 'support@acme.test' }, { $set: { 'autoReply.overrides.fr.subject': 'Merci' } });
    await inboxLanguages.up({ db: old.db, logger: testLogger });
    expect((await byAddress('billing@acme.test'))!.autoReply.overrides.en.subject).toBe('Got it: {{ticketSubject}}');
    expect((await byAddress('support@acme.test'))!.autoReply.overrides.fr.subject).toBe('Merci');
  });
});
