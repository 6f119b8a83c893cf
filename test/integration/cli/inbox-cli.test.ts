import { Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectMongo } from '../../../src/store/database.js';
import { createModels, type Models } from '../../../src/store/models/index.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { testLogger, uniqueDbName } from '../../helpers/db.js';
import { runCli } from '../../helpers/process.js';
import { withDbName } from '../../helpers/uri.js';

const SECRET_KEY = 'cli-test-secret-key-'.padEnd(40, 'z');
const IMAP_PASSWORD = 'imap secret from the environment';
const SMTP_PASSWORD = 'smtp-secret-from-stdin';
let uri: string;
let connection: Connection;
let models: Models;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI the way `npm run inbox --` does, against this file's database. */
function cli(args: string[], opts: { env?: Record<string, string | undefined>; stdin?: string; onStdout?: (stdoutSoFar: string) => void } = {}): Promise<Result> {
  return runCli('src/cli/inbox.ts', args, { ...opts, env: { MONGODB_URI: uri, SECRET_KEY, IMAP_PW: IMAP_PASSWORD, ...opts.env } });
}

const ADD = ['add', '--name', 'Support', '--address', 'Support@Example.com', '--imap-host', 'imap.example.com', '--imap-user', 'support', '--smtp-host', 'smtp.example.com'];

beforeAll(async () => {
  uri = withDbName(inject('mongoUri'), uniqueDbName('cli'));
  connection = await connectMongo(uri, { serverSelectionTimeoutMs: 5000 }, testLogger);
  models = createModels(connection);
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

describe('npm run inbox', () => {
  let supportId: string;

  it('adds an inbox with the IMAP password from an environment variable and the SMTP one from stdin', async () => {
    const res = await cli(
      [...ADD, '--imap-password-env', 'IMAP_PW', '--smtp-user', 'support', '--smtp-password-stdin', '--mark-seen', '--move-to', 'Processed', '--import-since', '2026-01-01', '--no-auto-reply'],
      { stdin: `${SMTP_PASSWORD}\n` },
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const match = /created inbox ([0-9a-f]{24})/.exec(res.stdout);
    expect(match).not.toBeNull();
    supportId = match![1]!;

    const stored = await models.Inbox.findById(supportId).lean();
    expect(stored).toMatchObject({
      name: 'Support',
      address: 'support@example.com',
      imap: { host: 'imap.example.com', port: 993, secure: true, user: 'support', folder: 'INBOX' },
      smtp: { host: 'smtp.example.com', port: 465, secure: true, user: 'support' },
      options: { markSeen: true, moveTo: 'Processed', importSince: new Date('2026-01-01T00:00:00Z') },
      autoReply: { enabled: false },
    });
    expect(JSON.stringify(stored)).not.toContain(IMAP_PASSWORD);
    expect(JSON.stringify(stored)).not.toContain(SMTP_PASSWORD);
    const box = createSecretBox(SECRET_KEY);
    expect(box.open(stored!.imap.passwordSealed!, `inbox:${supportId}:imap`)).toBe(IMAP_PASSWORD);
    expect(box.open(stored!.smtp.passwordSealed!, `inbox:${supportId}:smtp`)).toBe(SMTP_PASSWORD);
    expect(() => createSecretBox('another-key'.padEnd(40, 'q')).open(stored!.imap.passwordSealed!, `inbox:${supportId}:imap`)).toThrow();
  });

  it('lists inboxes with their poller status, and shows one without secrets', async () => {
    await models.InboxStatus.create({ _id: new Types.ObjectId(supportId), state: 'backoff', behind: 4, lastError: { code: 'IMAP_AUTH', message: 'login refused', at: new Date() } });
    const list = await cli(['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+ADDRESS\s+STATE/);
    const row = list.stdout.split('\n').find((l) => l.startsWith(supportId));
    expect(row).toMatch(/support@example\.com\s+backoff\s+-\s+4\s+IMAP_AUTH: login refused/);

    const show = await cli(['show', supportId]);
    expect(show.code).toBe(0);
    const view = JSON.parse(show.stdout);
    expect(view).toMatchObject({ id: supportId, imap: { hasPassword: true }, status: { state: 'backoff', behind: 4 } });
    expect(show.stdout).not.toContain(IMAP_PASSWORD);
    expect(show.stdout).not.toContain('passwordSealed');
  });

  it('updates only what is given and keeps the sealed password', async () => {
    const before = await models.Inbox.findById(supportId).lean();
    const res = await cli(['update', supportId, '--name', 'Help Desk', '--folder', 'Support', '--auto-reply']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`updated inbox ${supportId}`);
    const after = await models.Inbox.findById(supportId).lean();
    expect(after).toMatchObject({ name: 'Help Desk', imap: { port: 993, folder: 'Support', host: 'imap.example.com' }, autoReply: { enabled: true }, options: { markSeen: true } });
    expect(after!.imap.passwordSealed).toBe(before!.imap.passwordSealed);
    // The stored password stays with the saved port and TLS mode: moving them needs it again.
    const moved = await cli(['update', supportId, '--imap-port', '143', '--imap-secure', 'false']);
    expect(moved.code).not.toBe(0);
    expect(moved.stderr).toContain('--imap-password-env (or --imap-password-stdin): required when the host, port, TLS mode or user changes');
    const withPassword = await cli(['update', supportId, '--imap-port', '143', '--imap-secure', 'false', '--imap-password-env', 'IMAP_PW']);
    expect(withPassword.code).toBe(0);
    expect(await models.Inbox.findById(supportId).lean()).toMatchObject({ imap: { port: 143, secure: false } });
  });

  it('warns that a password on the command line is visible', async () => {
    const res = await cli(['add', ...ADD.slice(1).map((a) => (a === 'Support@Example.com' ? 'other@example.com' : a)), '--imap-password', 'visible-pw']);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/warning: --imap-password is visible/);
    const stored = await models.Inbox.findOne({ address: 'other@example.com' }).lean();
    expect(createSecretBox(SECRET_KEY).open(stored!.imap.passwordSealed!, `inbox:${stored!._id.toHexString()}:imap`)).toBe('visible-pw');
  });

  it('prints validation errors by flag and exits non-zero', async () => {
    const res = await cli(['add', '--name', 'Broken', '--address', 'not-an-address', '--imap-port', '70000', '--smtp-host', 's']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^error VALIDATION_FAILED: /);
    for (const flag of ['--address', '--imap-host', '--imap-port', '--imap-user', '--imap-password-env']) expect(res.stderr).toContain(flag);
    expect(await models.Inbox.countDocuments({ name: 'Broken' })).toBe(0);

    const unset = await cli([...ADD, '--imap-password-env', 'NOT_SET_ANYWHERE']);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('error VALIDATION_FAILED: --imap-password-env: environment variable NOT_SET_ANYWHERE is not set');
  });

  it('refuses a duplicate address with CONFLICT', async () => {
    const res = await cli([...ADD, '--imap-password-env', 'IMAP_PW']);
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe('error CONFLICT: An inbox with address support@example.com already exists');
  });

  it('reports unknown ids, commands and options', async () => {
    expect((await cli(['show', '0123456789abcdef01234567'])).stderr.trim()).toBe('error NOT_FOUND: Inbox not found');
    const unknown = await cli(['launch']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('unknown command "launch"');
    expect((await cli(['list', '--frobnicate'])).stderr).toContain("error VALIDATION_FAILED: Unknown option '--frobnicate'");
  });

  it('explains that MONGODB_URI is needed when it is unset', async () => {
    const res = await cli(['list'], { env: { MONGODB_URI: undefined } });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^error CONFIG_INVALID: MONGODB_URI is not set/);
    expect(res.stderr).toContain('/api/v1/inboxes');
  });
});

describe('npm run inbox -- watch', () => {
  it('shows backlog progress until the poller has caught up', async () => {
    const added = await cli([...ADD.map((a) => (a === 'Support@Example.com' ? 'watch@example.com' : a)), '--imap-password-env', 'IMAP_PW', '--json']);
    expect(added.stderr + added.stdout).not.toContain('error');
    expect(added.code).toBe(0);
    const id = (JSON.parse(added.stdout) as { id: string }).id;
    const statusId = new Types.ObjectId(id);
    await models.InboxStatus.updateOne({ _id: statusId }, { $set: { state: 'syncing', behind: 300, backlog: { total: 400, done: 100 }, updatedAt: new Date() } }, { upsert: true });
    // The poller catches up only once the watch has drawn the backlog: a fixed wait loses to a slow start under load.
    let drawn!: () => void;
    const firstLine = new Promise<void>((resolve) => (drawn = resolve));
    const watching = cli(['watch', id], {
      onStdout: (out) => {
        if (out.includes('\n')) drawn();
      },
    });
    await Promise.race([firstLine, watching]);
    await models.InboxStatus.updateOne({ _id: statusId }, { $set: { state: 'idle', behind: 0, backlog: { total: 400, done: 400 } } });
    const res = await watching;
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/\[#+·+\] {2}100\/400 {2}25\.0%/);
    expect(res.stdout).toContain('caught up: idle');
  }, 30_000);
});

