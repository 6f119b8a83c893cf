import { Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { redirectUri } from '../../../src/domain/oauth.js';
import { finishOAuthConnect } from '../../../src/services/oauth/finish-connect.js';
import { createOAuthEndpoint } from '../../../src/services/oauth/oauth-endpoint.js';
import { connectMongo } from '../../../src/store/database.js';
import { createModels, type Models } from '../../../src/store/models/index.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { createStores } from '../../../src/store/stores.js';
import { testLogger, uniqueDbName } from '../../helpers/db.js';
import { startTestProvider, TEST_MAIL_SCOPES, type TestProvider } from '../../helpers/oauth-provider.js';
import { withDbName } from '../../helpers/uri.js';
import { runCli, type CliResult } from '../../helpers/process.js';

const SECRET_KEY = 'cli-oauth-test-secret-key-'.padEnd(40, 'z');
const PUBLIC_URL = 'https://help.example.test';
let uri: string;
let connection: Connection;
let models: Models;
let provider: TestProvider;

/** Runs the CLI the way `npm run inbox --` does, against this file's database. */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli('src/cli/inbox.ts', args, { env: { MONGODB_URI: uri, SECRET_KEY, PUBLIC_URL, CLIENT_SECRET: provider.clientSecret, ...env } });
}

const ADD = ['add', '--name', 'Sales', '--address', 'sales@example.test', '--imap-host', 'imap.example.test', '--imap-user', 'sales@example.test', '--smtp-host', 'smtp.example.test', '--smtp-user', 'sales@example.test'];

beforeAll(async () => {
  uri = withDbName(inject('mongoUri'), uniqueDbName('cli_oauth'));
  connection = await connectMongo(uri, { serverSelectionTimeoutMs: 5000 }, testLogger);
  models = createModels(connection);
  provider = await startTestProvider({ redirectUri: redirectUri(PUBLIC_URL) });
});
afterAll(async () => {
  await provider.close();
  await connection.dropDatabase();
  await connection.close();
});

describe('npm run inbox -- add … --oauth2', () => {
  it('refuses unusable OAuth2 settings before adding anything', async () => {
    const res = await cli([...ADD, '--oauth2', 'yahoo']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('--oauth2: must be microsoft, google or generic');
    expect(res.stderr).toContain('--oauth2-client-id: is required');
    expect(await models.Inbox.countDocuments({ address: 'sales@example.test' })).toBe(0);
  });

  it('adds the inbox without a password and prints the consent URL, which any admin can then finish', async () => {
    const scopes = `offline_access ${TEST_MAIL_SCOPES.join(' ')}`;
    const res = await cli([...ADD, '--oauth2', 'generic', '--oauth2-client-id', provider.clientId, '--oauth2-client-secret-env', 'CLIENT_SECRET', '--oauth2-issuer', provider.issuer, '--oauth2-scopes', scopes]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const id = /created inbox ([0-9a-f]{24})/.exec(res.stdout)![1]!;
    const url = /^(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)$/m.exec(res.stdout)![1]!;
    expect(new URL(url).searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/settings/inboxes/oauth/callback`);
    const inbox = (await models.Inbox.findById(id).lean())!;
    expect(inbox.imap.passwordSealed).toBeNull();
    expect(res.stdout).not.toContain(provider.clientSecret);

    const back = await provider.consent(url);
    const stores = createStores(models);
    const deps = { oauthGrants: stores.oauthGrants, secrets: createSecretBox(SECRET_KEY), oauth: createOAuthEndpoint(), publicUrl: PUBLIC_URL, now: () => new Date() };
    const admin = { userId: new Types.ObjectId(), role: 'admin' as const, inboxIds: [] };
    expect((await finishOAuthConnect(deps, admin, 'whatever session', back.searchParams)).inboxId.toHexString()).toBe(id);
    expect(await models.OAuthGrant.findOne({ inboxId: inbox._id }).lean()).toMatchObject({ state: 'connected', provider: 'generic', clientId: provider.clientId });
  });
});
