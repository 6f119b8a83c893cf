import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconnectNeededError } from '../../../src/services/oauth/reconnect-needed.js';
import { Client, signInEveryRole, startPages } from './pages-harness.js';

const inboxId = new Types.ObjectId();
const OAUTH_TAB = `/settings/inboxes/${inboxId.toHexString()}/oauth`;
const REASON = { code: 'invalid_grant', description: 'AADSTS50173: the grant was revoked' };
let h: Awaited<ReturnType<typeof startPages>>;
let admin: Client;
let manager: Client;
let agent: Client;

/** The text of a page with its entities decoded, to compare with the catalog's words. */
const textOf = async (client: Client, path: string) => {
  const res = await client.get(path);
  expect(res.status, path).toBe(200);
  return res.text.replaceAll('&#x27;', "'").replaceAll('&quot;', '"').replaceAll('&#x3D;', '=');
};

beforeAll(async () => {
  h = await startPages('https://help.example.test');
  await h.models.Inbox.create({ _id: inboxId, name: 'Support', address: 'support@example.test', imap: { host: 'imap.example.test', port: 993, secure: true, user: 'support@example.test', folder: 'INBOX' }, smtp: { host: 'smtp.example.test', port: 465, secure: true }, options: {} });
  ({ admin, manager, agent } = await signInEveryRole(h, inboxId));
  // What the poller records when the login source gives up on the grant, and what the grant keeps of it.
  const at = new Date();
  const err = reconnectNeededError(REASON);
  await h.models.InboxStatus.create({ _id: inboxId, state: 'error', behind: 0, lastError: { code: err.code, message: err.message, at }, updatedAt: at });
  await h.models.OAuthGrant.create({ inboxId, provider: 'microsoft', clientId: 'app-id', state: 'reconnect-needed', lastError: { ...REASON, at } });
});
afterAll(async () => {
  await h.close();
});

describe('an inbox whose OAuth2 sign-in is lost', () => {
  it('says "Reconnect needed" in the provider\'s words on the home page, the inbox list and the inbox settings, with a link for admins', async () => {
    for (const path of ['/', '/settings/inboxes', `/settings/inboxes/${inboxId.toHexString()}`]) {
      const html = await textOf(admin, path);
      expect(html, path).toContain('Reconnect needed: The consent was withdrawn, expired or the password changed (invalid_grant).');
      expect(html, path).toContain(REASON.description);
      expect(html, path).toContain(`href="${OAUTH_TAB}"`);
      expect(html, path).toContain('Connect again');
      expect(html, path).not.toContain('MAIL_RECONNECT_NEEDED');
      expect(html, path).not.toContain('an admin can see the details');
    }
  });

  it('gives managers and agents the words without the provider\'s own text, and no link', async () => {
    for (const [client, path] of [[agent, '/'], [manager, '/'], [manager, '/settings/inboxes'], [manager, `/settings/inboxes/${inboxId.toHexString()}`]] as const) {
      const html = await textOf(client, path);
      expect(html, path).toContain('Reconnect needed: The consent was withdrawn, expired or the password changed (invalid_grant).');
      expect(html, path).not.toContain(REASON.description);
      // (The inbox settings' tabs link to the sign-in tab for managers too: the note itself has no link.)
      expect(html, path).not.toContain('Connect again');
    }
  });

  it('says it in French too', async () => {
    const french = new Client(h.base, undefined, { 'accept-language': 'fr' });
    await french.login('ada@example.test', 'ada password 123');
    const html = await textOf(french, '/');
    expect(html).toContain('À reconnecter\u00a0: Le consentement a été retiré ou a expiré');
    expect(html).toContain('Reconnecter</a>');
  });

  it('falls back to plain words when the grant recorded no reason', async () => {
    await h.models.OAuthGrant.updateOne({ inboxId }, { $set: { lastError: null } });
    const html = await textOf(admin, '/');
    expect(html).toContain('Reconnect needed: an admin must connect the mailbox again.');
    expect(html).toContain(`href="${OAUTH_TAB}"`);
  });
});
