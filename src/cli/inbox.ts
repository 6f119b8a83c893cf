import { parseArgs } from 'node:util';
import pino from 'pino';
import { createLogger } from '../logger.js';
import { loadConfig } from '../config/load-config.js';
import { resolveSecretKey } from '../config/secret-key.js';
import { AppError, isAppError } from '../domain/errors.js';
import { providerSettingsIssues } from '../domain/oauth.js';
import { reportCliError } from './cli-errors.js';
import { OPERATOR } from '../services/access.js';
import { createInbox } from '../services/inboxes/create-inbox.js';
import { getInbox } from '../services/inboxes/get-inbox.js';
import type { InboxView } from '../services/inboxes/inbox-view.js';
import { listInboxes } from '../services/inboxes/list-inboxes.js';
import { createOAuthEndpoint } from '../services/oauth/oauth-endpoint.js';
import { startOAuthConnect, type ConnectInput } from '../services/oauth/start-connect.js';
import { updateInbox } from '../services/inboxes/update-inbox.js';
import type { InputIssue } from '../services/validate.js';
import { createBlobStore } from '../store/blob-store.js';
import { connectMongo } from '../store/database.js';
import { upgradeDatabase } from '../store/migrations/index.js';
import { createModels } from '../store/models/index.js';
import { createSecretBox } from '../store/secret-box.js';
import { createStores } from '../store/stores.js';
import { progressLine } from './progress.js';

const USAGE = `Usage: npm run inbox -- <command> [options]

Commands:
  add               add an inbox (see options)
  list              list inboxes with their poller status
  show ID           show one inbox
  update ID         change the options given, keep the rest
  watch ID          follow the poller: a progress bar while a backlog imports, then its state

Options for add and update:
  --name N  --address A  --display-name D
  --imap-host H  --imap-port 993  --imap-secure true|false  --imap-user U  --folder INBOX
  --imap-password-env VAR | --imap-password-stdin | --imap-password P (visible in ps)
  --smtp-host H  --smtp-port 465  --smtp-secure true|false  --smtp-user U
  --smtp-password-env VAR | --smtp-password-stdin | --smtp-password P (visible in ps)
  --[no-]mark-seen  --move-to FOLDER  --import-since 2026-01-01  --[no-]auto-reply
  --json            print JSON instead of text

Sign in with OAuth2 instead of passwords (add: no IMAP password needed; update: connect again):
  --oauth2 microsoft|google|generic  --oauth2-client-id ID
  --oauth2-client-secret-env VAR | --oauth2-client-secret-stdin
  --oauth2-tenant TENANT (microsoft)  --oauth2-issuer URL --oauth2-scopes "S1 S2" (generic)
  Prints the consent URL: open it signed in to Threadline as an admin, within 10 minutes.

Needs MONGODB_URI (the database the server uses) and the server's SECRET_KEY.`;

const OPTIONS = {
  name: { type: 'string' },
  address: { type: 'string' },
  'display-name': { type: 'string' },
  'imap-host': { type: 'string' },
  'imap-port': { type: 'string' },
  'imap-secure': { type: 'string' },
  'imap-user': { type: 'string' },
  'imap-password-env': { type: 'string' },
  'imap-password-stdin': { type: 'boolean' },
  'imap-password': { type: 'string' },
  folder: { type: 'string' },
  'smtp-host': { type: 'string' },
  'smtp-port': { type: 'string' },
  'smtp-secure': { type: 'string' },
  'smtp-user': { type: 'string' },
  'smtp-password-env': { type: 'string' },
  'smtp-password-stdin': { type: 'boolean' },
  'smtp-password': { type: 'string' },
  'mark-seen': { type: 'boolean' },
  'move-to': { type: 'string' },
  'import-since': { type: 'string' },
  'auto-reply': { type: 'boolean' },
  oauth2: { type: 'string' },
  'oauth2-client-id': { type: 'string' },
  'oauth2-client-secret-env': { type: 'string' },
  'oauth2-client-secret-stdin': { type: 'boolean' },
  'oauth2-tenant': { type: 'string' },
  'oauth2-issuer': { type: 'string' },
  'oauth2-scopes': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; allowNegative: true }>>['values'];

/** Input field path → the flag that sets it, so validation errors name what the user typed. */
const FLAG_OF: Record<string, string> = {
  name: '--name', address: '--address', displayName: '--display-name',
  'imap.host': '--imap-host', 'imap.port': '--imap-port', 'imap.secure': '--imap-secure', 'imap.user': '--imap-user',
  'imap.password': '--imap-password-env (or --imap-password-stdin)', 'imap.folder': '--folder',
  'smtp.host': '--smtp-host', 'smtp.port': '--smtp-port', 'smtp.secure': '--smtp-secure', 'smtp.user': '--smtp-user',
  'smtp.password': '--smtp-password-env (or --smtp-password-stdin)', 'options.markSeen': '--mark-seen', 'options.moveTo': '--move-to',
  'options.importSince': '--import-since', 'autoReply.enabled': '--auto-reply',
  provider: '--oauth2', clientId: '--oauth2-client-id', tenant: '--oauth2-tenant', issuer: '--oauth2-issuer',
};

// Numbers and booleans that do not parse are passed on as typed, so validation reports them.
const num = (v: string | undefined): number | string | undefined => (v !== undefined && /^\d+$/.test(v) ? Number(v) : v);
const bool = (v: string | undefined): boolean | string | undefined =>
  v === undefined ? undefined : /^(true|yes|1)$/i.test(v) ? true : /^(false|no|0)$/i.test(v) ? false : v;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function password(flags: Flags, kind: 'imap' | 'smtp'): Promise<string | undefined> {
  const envName = flags[`${kind}-password-env`];
  const fromStdin = flags[`${kind}-password-stdin`];
  const inline = flags[`${kind}-password`];
  if ([envName, fromStdin, inline].filter((v) => v !== undefined && v !== false).length > 1) {
    throw new AppError('VALIDATION_FAILED', `give the ${kind.toUpperCase()} password one way only: --${kind}-password-env, --${kind}-password-stdin or --${kind}-password`);
  }
  if (envName !== undefined) {
    const value = process.env[envName];
    if (!value) throw new AppError('VALIDATION_FAILED', `--${kind}-password-env: environment variable ${envName} is not set`);
    return value;
  }
  if (fromStdin) return readStdin();
  if (inline !== undefined) {
    console.warn(`warning: --${kind}-password is visible to other users (ps, shell history); prefer --${kind}-password-env or --${kind}-password-stdin`);
  }
  return inline;
}

/** Keeps only the keys that were given, and drops an object left empty (for partial updates). */
function given<T extends Record<string, unknown>>(obj: T): Partial<T> | undefined {
  const out = Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
  return Object.keys(out).length ? out : undefined;
}

async function inboxInput(flags: Flags, forCreate: boolean): Promise<Record<string, unknown>> {
  if (flags['imap-password-stdin'] && flags['smtp-password-stdin']) {
    throw new AppError('VALIDATION_FAILED', 'only one password can be read from stdin; use --smtp-password-env for the other');
  }
  const defaults = (v: string | undefined, d: string) => v ?? (forCreate ? d : undefined);
  const autoReply = flags['auto-reply'];
  return {
    ...given({ name: flags.name, address: flags.address, displayName: flags['display-name'] }),
    imap: given({
      host: flags['imap-host'],
      port: num(defaults(flags['imap-port'], '993')),
      secure: bool(defaults(flags['imap-secure'], 'true')),
      user: flags['imap-user'],
      password: await password(flags, 'imap'),
      folder: flags.folder,
    }),
    smtp: given({
      host: flags['smtp-host'],
      port: num(defaults(flags['smtp-port'], '465')),
      secure: bool(defaults(flags['smtp-secure'], 'true')),
      user: flags['smtp-user'],
      password: await password(flags, 'smtp'),
    }),
    options: given({ markSeen: flags['mark-seen'], moveTo: flags['move-to'], importSince: flags['import-since'] }),
    autoReply: autoReply === undefined ? undefined : { enabled: autoReply },
  };
}

/** The OAuth2 settings of the flags, the client secret read from the environment or stdin. */
async function oauthInput(flags: Flags): Promise<ConnectInput> {
  if (flags['oauth2-client-secret-stdin'] && (flags['imap-password-stdin'] || flags['smtp-password-stdin'])) {
    throw new AppError('VALIDATION_FAILED', 'only one secret can be read from stdin; use --oauth2-client-secret-env');
  }
  const envName = flags['oauth2-client-secret-env'];
  const fromEnv = envName !== undefined ? process.env[envName] : undefined;
  if (envName !== undefined && !fromEnv) throw new AppError('VALIDATION_FAILED', `--oauth2-client-secret-env: environment variable ${envName} is not set`);
  return {
    provider: flags.oauth2 ?? '',
    clientId: flags['oauth2-client-id'] ?? '',
    clientSecret: fromEnv ?? (flags['oauth2-client-secret-stdin'] ? await readStdin() : null),
    tenant: flags['oauth2-tenant'] ?? null,
    issuer: flags['oauth2-issuer'] ?? null,
    scopes: flags['oauth2-scopes'] ?? null,
  };
}

/** The OAuth2 flags, refused with the flag names when the settings cannot work. */
async function checkedOAuthInput(flags: Flags): Promise<ConnectInput> {
  const input = await oauthInput(flags);
  const issues = providerSettingsIssues({ ...input, scopes: null });
  if (issues.length > 0) throw new AppError('VALIDATION_FAILED', issues.map((i) => `${FLAG_OF[i.path] ?? i.path}: ${OAUTH_ISSUES[i.path] ?? 'is invalid'}`).join('; '));
  return input;
}

const OAUTH_ISSUES: Record<string, string> = {
  provider: 'must be microsoft, google or generic',
  clientId: 'is required',
  tenant: 'must be a tenant ID or domain',
  issuer: 'must be an HTTPS URL without query',
};

function describe(inbox: InboxView): string {
  return `${inbox.id}  ${inbox.name} <${inbox.address}>`;
}

function table(inboxes: InboxView[]): string {
  const rows = inboxes.map((i) => {
    const s = i.status;
    return [
      i.id, i.name, i.address, s.state,
      'lastSyncAt' in s && s.lastSyncAt ? s.lastSyncAt.toISOString() : '-',
      'behind' in s ? String(s.behind) : '-',
      'lastError' in s && s.lastError ? `${s.lastError.code}: ${s.lastError.message}` : '',
    ];
  });
  const all = [['ID', 'NAME', 'ADDRESS', 'STATE', 'LAST SYNC', 'BEHIND', 'LAST ERROR'], ...rows];
  const widths = all[0]!.map((_, col) => Math.max(...all.map((r) => r[col]!.length)));
  return all.map((r) => r.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd()).join('\n');
}

async function run(command: string, args: string[], flags: Flags): Promise<void> {
  const config = loadConfig();
  if (!config.mongodbUri) {
    throw new AppError(
      'CONFIG_INVALID',
      'MONGODB_URI is not set. Without it the server keeps its database inside its own process, where this CLI cannot reach it: ' +
        'set MONGODB_URI to the database the server uses, or manage inboxes through the JSON API (POST/GET/PATCH /api/v1/inboxes).',
    );
  }
  const logger = createLogger('warn', 'inbox-cli', pino.destination(2));
  const secrets = createSecretBox(resolveSecretKey(config, logger));
  const connection = await connectMongo(config.mongodbUri, { serverSelectionTimeoutMs: config.db.serverSelectionTimeoutMs }, logger);
  try {
    const models = createModels(connection);
    // The CLI writes with this release's models, so the database must be at this release first.
    await upgradeDatabase(connection.db!, { models, blobs: createBlobStore(connection.db!), logger });
    const stores = createStores(models);
    const deps = { inboxes: stores.inboxes, teams: stores.teams, secrets, logger };
    const print = (inbox: InboxView, verb: string) => console.log(flags.json ? JSON.stringify(inbox, null, 2) : `${verb} ${describe(inbox)}`);
    const id = () => {
      if (!args[0]) throw new AppError('VALIDATION_FAILED', `${command} needs an inbox ID (see: npm run inbox -- list)`);
      return args[0];
    };
    // The consent URL for an OAuth2 inbox: the flow is the operator's, so any admin's session may finish it.
    const connect = async (inbox: InboxView, input: ConnectInput) => {
      const oauthDeps = { inboxes: stores.inboxes, oauthGrants: stores.oauthGrants, secrets, oauth: createOAuthEndpoint(), publicUrl: config.publicUrl ?? null, now: () => new Date() };
      const { url, expiresAt } = await startOAuthConnect(oauthDeps, OPERATOR, inbox.id, input, null);
      console.log(flags.json ? JSON.stringify({ consentUrl: url, expiresAt }, null, 2) : `open this URL, signed in to Threadline as an admin, before ${expiresAt.toISOString()}:\n${url}`);
    };
    if (command === 'add') {
      // The OAuth2 settings are checked before the inbox is added, so a typo leaves nothing half made.
      const oauth = flags.oauth2 !== undefined ? await checkedOAuthInput(flags) : null;
      const created = await createInbox(deps, OPERATOR, await inboxInput(flags, true), { oauth2: Boolean(oauth) });
      print(created, 'created inbox');
      if (oauth) await connect(created, oauth);
    } else if (command === 'update') {
      const changes = await inboxInput(flags, false);
      const hasChanges = Object.values(changes).some((v) => v !== undefined);
      const updated = hasChanges || flags.oauth2 === undefined ? await updateInbox(deps, OPERATOR, id(), changes) : await getInbox(deps, OPERATOR, id());
      if (hasChanges || flags.oauth2 === undefined) print(updated, 'updated inbox');
      if (flags.oauth2 !== undefined) await connect(updated, await checkedOAuthInput(flags));
    }
    else if (command === 'show') console.log(JSON.stringify(await getInbox(deps, OPERATOR, id()), null, 2));
    else if (command === 'watch') await watch(() => getInbox(deps, OPERATOR, id()));
    else {
      const inboxes = await listInboxes(deps, OPERATOR);
      console.log(flags.json ? JSON.stringify(inboxes, null, 2) : inboxes.length ? table(inboxes) : 'no inboxes yet (add one: npm run inbox -- add --help)');
    }
  } finally {
    connection.removeAllListeners('disconnected');
    await connection.close();
  }
}

/** Redraws a progress line until the backlog is read and the poller waits for new mail (or Ctrl+C). */
async function watch(load: () => Promise<InboxView>): Promise<void> {
  const tty = process.stdout.isTTY;
  const samples: Array<{ at: number; done: number }> = [];
  let lastPrinted = 0;
  for (;;) {
    const { status } = await load();
    const backlog = 'backlog' in status ? status.backlog : null;
    const now = Date.now();
    samples.push({ at: now, done: backlog?.done ?? 0 });
    while (samples.length > 1 && now - samples[0]!.at > 10_000) samples.shift();
    const first = samples[0]!;
    const rate = now > first.at ? ((backlog?.done ?? 0) - first.done) / ((now - first.at) / 1000) : null;
    const error = 'lastError' in status && status.lastError ? `  last error ${status.lastError.code}: ${status.lastError.message}` : '';
    const line = backlog ? progressLine({ done: backlog.done, total: backlog.total, ratePerSecond: rate, state: status.state }) + error : `${status.state}${error}`;
    if (tty) process.stdout.write(`\r\x1b[K${line}`);
    else if (now - lastPrinted > 5000) {
      console.log(line);
      lastPrinted = now;
    }
    const caughtUp = (!backlog || backlog.done >= backlog.total) && (status.state === 'idle' || status.state === 'polling');
    if (caughtUp) {
      if (tty) process.stdout.write('\n');
      console.log(`caught up: ${status.state}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function errorText(err: AppError): string {
  const issues = (err.details?.issues ?? []) as InputIssue[];
  if (!isAppError(err, 'VALIDATION_FAILED') || issues.length === 0) return err.message;
  return issues.map((i) => `${FLAG_OF[i.path] ?? (i.path || 'input')}: ${i.message}`).join('; ');
}

async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, allowNegative: true, strict: true });
    const [command, ...rest] = positionals;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!command) {
      console.error(USAGE);
      return 2;
    }
    if (!['add', 'list', 'show', 'update', 'watch'].includes(command)) throw new AppError('VALIDATION_FAILED', `unknown command "${command}"\n\n${USAGE}`);
    await run(command, rest, values);
    return 0;
  } catch (err) {
    return reportCliError(err, errorText);
  }
}

process.exitCode = await main(process.argv.slice(2));
