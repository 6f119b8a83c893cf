import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { createInbox, type InboxDeps } from '../../../../src/services/inboxes/create-inbox.js';
import { inboxPasswordContext } from '../../../../src/services/inboxes/inbox-secrets.js';
import { createSecretBox } from '../../../../src/store/secret-box.js';
import { appErrorFrom, invalidFields } from '../../../helpers/app-error.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { TEST_SECRET_KEY, newInboxInput } from '../../../helpers/inbox.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const secrets = createSecretBox(TEST_SECRET_KEY);
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
/** A template check that refuses any source containing `{{#broken`. */
const validateTemplate = (source: string) => (source.includes('{{#broken') ? 'has an unclosed block' : null);
const deps = (): InboxDeps => ({ ...db.stores, secrets, logger: testLogger, validateTemplate });

beforeAll(async () => {
  db = await openTestDb('create_inbox');
});
afterAll(() => db.drop());

describe('createInbox', () => {
  it('adds an inbox whose passwords are stored sealed to it, and shows only that they are set', async () => {
    const view = await createInbox(deps(), admin, newInboxInput('sealed@create.test'));
    expect(view).toMatchObject({ address: 'sealed@create.test', imap: { host: 'imap.example.test', user: 'sealed@create.test', hasPassword: true }, smtp: { hasPassword: true } });
    expect(JSON.stringify(view)).not.toMatch(/imap secret|smtp secret|passwordSealed/);

    const stored = (await db.stores.inboxes.findById(new Types.ObjectId(view.id)))!;
    expect(JSON.stringify(stored)).not.toMatch(/imap secret|smtp secret/);
    expect(secrets.open(stored.imap.passwordSealed!, inboxPasswordContext(stored._id, 'imap'))).toBe('imap secret');
    expect(secrets.open(stored.smtp.passwordSealed!, inboxPasswordContext(stored._id, 'smtp'))).toBe('smtp secret');
  });

  it('seals each password to its own inbox and account, so a copied one does not open elsewhere', async () => {
    const stored = (await db.stores.inboxes.findById(new Types.ObjectId((await createInbox(deps(), admin, newInboxInput('bound@create.test'))).id)))!;
    expect(() => secrets.open(stored.imap.passwordSealed!, inboxPasswordContext(stored._id, 'smtp'))).toThrow(expect.objectContaining({ code: 'SECRET_INVALID' }));
    expect(() => secrets.open(stored.imap.passwordSealed!, inboxPasswordContext(new Types.ObjectId(), 'imap'))).toThrow(expect.objectContaining({ code: 'SECRET_INVALID' }));
  });

  it('stores the address lower-cased and fills in the defaults', async () => {
    const view = await createInbox(deps(), admin, newInboxInput(' Help@Create.TEST ', { smtp: { host: 'relay.test', port: 25, secure: false } }));
    expect(view).toMatchObject({
      address: 'help@create.test',
      displayName: null,
      imap: { folder: 'INBOX' },
      smtp: { host: 'relay.test', user: null, hasPassword: false },
      options: { markSeen: false, moveTo: null, importSince: null },
      autoReply: { enabled: true, subject: null, template: null },
      branding: { signature: null, primaryColor: null, logoUrl: null },
      status: { state: 'unknown' },
    });
  });

  it('keeps the options, auto-reply and branding given', async () => {
    const view = await createInbox(
      deps(),
      admin,
      newInboxInput('custom@create.test', {
        displayName: 'Custom Care',
        options: { markSeen: true, moveTo: 'Done', importSince: '2030-01-01' },
        autoReply: { enabled: false, subject: 'We got it', template: 'Thanks, {{customer.name}}' },
        branding: { signature: '— Care', primaryColor: '#1a73e8', logoUrl: 'https://logo.test/a.png' },
      }),
    );
    expect(view).toMatchObject({
      displayName: 'Custom Care',
      options: { markSeen: true, moveTo: 'Done', importSince: new Date('2030-01-01T00:00:00Z') },
      autoReply: { enabled: false, subject: 'We got it', template: 'Thanks, {{customer.name}}' },
      branding: { signature: '— Care', primaryColor: '#1a73e8', logoUrl: 'https://logo.test/a.png' },
    });
  });

  it('names every invalid field, and unknown ones, and saves nothing', async () => {
    const before = await db.models.Inbox.countDocuments();
    const bad = newInboxInput('nope', {
      name: '  ',
      imap: { host: '', port: 70000, secure: 'yes', user: 'u', password: 'p', tls: true },
      options: { importSince: 'yesterday' },
      branding: { primaryColor: 'red', logoUrl: 'javascript:alert(1)' },
      colour: 'blue',
    });
    expect(await invalidFields(createInbox(deps(), admin, bad))).toEqual([
      'address',
      'branding.logoUrl',
      'branding.primaryColor',
      'colour',
      'imap.host',
      'imap.port',
      'imap.secure',
      'imap.tls',
      'name',
      'options.importSince',
    ]);
    expect(await invalidFields(createInbox(deps(), admin, { name: 'Bare', address: 'bare@create.test' }))).toEqual(['imap', 'smtp']);
    expect(await db.models.Inbox.countDocuments()).toBe(before);
  });

  it('refuses an auto-reply override that would not render, naming the field, before anything is saved', async () => {
    const input = newInboxInput('override@create.test', { autoReply: { enabled: true, subject: '{{#broken', template: '{{#broken}}' } });
    expect(await invalidFields(createInbox(deps(), admin, input))).toEqual(['autoReply.subject', 'autoReply.template']);
    expect(await db.models.Inbox.countDocuments({ address: 'override@create.test' })).toBe(0);
  });

  it('refuses a second inbox at an address in use, in any case, as CONFLICT', async () => {
    await createInbox(deps(), admin, newInboxInput('taken@create.test'));
    const err = await appErrorFrom(createInbox(deps(), admin, newInboxInput('TAKEN@create.test', { name: 'Other' })));
    expect(err.code).toBe('CONFLICT');
    expect(await db.models.Inbox.countDocuments({ address: 'taken@create.test' })).toBe(1);
  });

  it('is for admins only: managers and agents are FORBIDDEN', async () => {
    for (const role of ['manager', 'agent'] as const) {
      const actor: Actor = { userId: new Types.ObjectId(), role, inboxIds: [] };
      expect((await appErrorFrom(createInbox(deps(), actor, newInboxInput('forbidden@create.test')))).code).toBe('FORBIDDEN');
    }
    expect(await db.models.Inbox.countDocuments({ address: 'forbidden@create.test' })).toBe(0);
  });
});
