import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { fakeClockEnv } from './clock.js';
import { freePort } from './process.js';

const run = promisify(execFile);

/** A private Dovecot IMAP server on loopback, one per test file (own directory and port). */
export interface DovecotServer {
  host: string;
  port: number;
  dir: string;
  password: string;
  /** APPENDs a raw message and returns its UID. */
  append(user: string, raw: Buffer | string, folder?: string, flags?: string[]): Promise<number>;
  /** Opens an authenticated imapflow client, for checks from the test side. */
  client(user: string): Promise<ImapFlow>;
  setUidValidity(user: string, folder: string, value: number): Promise<void>;
  stop(): Promise<void>;
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`Dovecot did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function masterPid(dir: string): number | null {
  try {
    const pid = Number(readFileSync(path.join(dir, 'run', 'master.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Whether a process still runs: a zombie (killed, not yet reaped by init) does not. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** SIGKILLs a Dovecot master and the processes it started (all its direct children), and waits until they are gone. */
async function killTree(master: number): Promise<void> {
  if (!alive(master)) return;
  process.kill(master, 'SIGSTOP');
  const { stdout } = await run('ps', ['--ppid', String(master), '-o', 'pid=']).catch(() => ({ stdout: '' }));
  const pids = [...stdout.split(/\s+/).filter(Boolean).map(Number), master];
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 5000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

/** Dovecot refuses to run mail processes as root, so mailboxes belong to a system user `vmail`. */
function ensureVmailUser(): { uid: number; gid: number } {
  try {
    execFileSync('id', ['-u', 'vmail'], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--uid', '5000', '--user-group', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', 'vmail']);
  }
  const uid = Number(execFileSync('id', ['-u', 'vmail']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'vmail']).toString().trim());
  return { uid, gid };
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) chownTree(p, uid, gid);
    else chownSync(p, uid, gid);
  }
}

/**
 * Where Dovecot's `oauth2` passdb checks the tokens of XOAUTH2 and OAUTHBEARER logins: RFC 7662
 * introspection (POST, with the resource server's client credentials) at a provider on loopback.
 */
export interface DovecotOAuth2 {
  introspectionUrl: string;
  clientId: string;
  clientSecret: string;
  /** The scope a token must carry to log in (Dovecot refuses others: "Token is not valid for scope"). */
  scope: string;
  /** The SASL mechanisms offered for tokens (default both; Microsoft 365 offers XOAUTH2 only). */
  mechanisms?: Array<'xoauth2' | 'oauthbearer'>;
}

/** The passdb for token logins and its settings file; password logins keep the passwd-file passdb. */
function oauth2Passdb(dir: string, oauth2: DovecotOAuth2): string {
  const url = new URL(oauth2.introspectionUrl);
  url.username = encodeURIComponent(oauth2.clientId);
  url.password = encodeURIComponent(oauth2.clientSecret);
  const file = path.join(dir, 'dovecot-oauth2.conf.ext');
  writeFileSync(
    file,
    `introspection_mode = post
introspection_url = ${url.toString()}
force_introspection = yes
username_attribute = sub
active_attribute = active
active_value = true
scope = ${oauth2.scope}
`,
  );
  return `passdb {
  driver = oauth2
  mechanisms = ${(oauth2.mechanisms ?? ['xoauth2', 'oauthbearer']).join(' ')}
  args = ${file}
}
`;
}

/**
 * Starts Dovecot with plain-text auth on 127.0.0.1 and a free port. Every user has the same password.
 * With `oauth2`, XOAUTH2 and OAUTHBEARER logins are offered too, their tokens introspected at the provider.
 * Requires root and the dovecot-imapd package (.ci/run installs it).
 */
export async function startDovecot(users: string[] = ['support@example.test'], opts: { oauth2?: DovecotOAuth2 } = {}): Promise<DovecotServer> {
  const { uid, gid } = ensureVmailUser();
  const dir = mkdtempSync(path.join(tmpdir(), 'tl-dovecot-'));
  chmodSync(dir, 0o755); // the auth process runs as user dovecot and must reach the users file
  const port = await freePort();
  const password = 'secret-imap-password';
  for (const sub of ['run', 'state', 'mail']) mkdirSync(path.join(dir, sub));
  const conf = path.join(dir, 'dovecot.conf');
  // Dovecot's master clears its environment at start; under faketime (see clock.ts) it must keep the fake
  // clock, for itself and for its imap processes, or it falls back to the real date and stops launching them.
  const fakeClock = Object.keys(fakeClockEnv()).join(' ');
  writeFileSync(
    conf,
    `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = tl-imap-${port}
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login${opts.oauth2 ? ` ${(opts.oauth2.mechanisms ?? ['xoauth2', 'oauthbearer']).join(' ')}\n# Why a token was refused (inactive, another user, a missing scope), in dovecot.log.\nauth_verbose = yes` : ''}
mail_location = maildir:~/Maildir
first_valid_uid = ${uid}
last_valid_uid = ${uid}
mail_max_userip_connections = 50
# The tests log in with wrong passwords on purpose: a failed login is answered without the default
# 2-second delay, and the next logins from 127.0.0.1 are not held back for seconds more (the brute-force
# penalty is off when the auth process cannot reach anvil's penalty socket).
auth_failure_delay = 0
${fakeClock ? `import_environment = $import_environment ${fakeClock}\n` : ''}passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
${opts.oauth2 ? '  mechanisms = plain login\n' : ''}}
${opts.oauth2 ? oauth2Passdb(dir, opts.oauth2) : ''}userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/mail/%u
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`,
  );
  // All users up front: Dovecot notices a changed passwd-file by its mtime, which two quick writes can share.
  writeFileSync(path.join(dir, 'users'), users.map((u) => `${u}:{PLAIN}${password}\n`).join(''));
  chownTree(path.join(dir, 'mail'), uid, gid);
  // dovecot daemonizes; its child must not hold our stdio pipes open, or we would wait forever.
  await new Promise<void>((resolve, reject) => {
    const child = spawn('dovecot', ['-c', conf], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`dovecot exited with ${code}; see ${dir}/dovecot.log`))));
  });
  await waitForPort(port, 10_000);

  const client = async (user: string) => {
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false });
    await c.connect();
    return c;
  };
  return {
    host: '127.0.0.1',
    port,
    dir,
    password,
    client,
    async append(user, raw, folder = 'INBOX', flags = []) {
      const c = await client(user);
      try {
        const res = await c.append(folder, raw, flags);
        if (!res || !res.uid) throw new Error('APPEND returned no UID');
        return res.uid;
      } finally {
        await c.logout();
      }
    },
    async setUidValidity(user, folder, value) {
      await run('doveadm', ['-c', conf, 'mailbox', 'update', '-u', user, '--uid-validity', String(value), folder]);
    },
    async stop() {
      // `doveadm stop` takes seconds (Dovecot's master pauses while its log process winds down). This
      // instance is thrown away with its directory, so it is killed outright: the master frozen first so
      // it starts no new process, then every process it started, then the master.
      const master = masterPid(dir);
      if (master === null) await run('doveadm', ['-c', conf, 'stop']).catch(() => {});
      else await killTree(master);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
