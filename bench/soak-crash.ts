/**
 * Crash soak: `npm run soak:crash` starts real Dovecot, a recording SMTP server and Threadline as
 * `npm start` runs it, sets up an inbox and an agent through the API, then delivers a few hundred
 * mails (new threads and replies) while SIGKILLing the process at random moments and restarting it.
 * Once the kills are over it lets the app finish, stops it cleanly and checks that every mail was
 * stored exactly once and threaded, users, inbox and mailbox cursor are intact, and every new ticket
 * got exactly one auto-reply (see test/support/crash-soak.ts). Exits 1 when a check fails. Needs
 * root and dovecot-imapd, like the IMAP tests.
 *
 * Options: --seed N (replays a run's random choices; printed), --mails 300, --kills 20,
 * --db embedded|external (embedded, the default: the app's own store, killed with it; external: a
 * database server outside the app), --mongodb-uri URI (external: use this server), --startup-kills 0.2 (the
 * share of kills aimed at start-up), --serving-life-ms 0-6000 (when the other kills come after the
 * process started serving), --settle-timeout-ms 120000, --keep (keep the run directory with the data
 * and app logs), --quiet.
 */
import { parseArgs } from 'node:util';
import { runCrashSoak, type SoakDbMode } from '../test/support/crash-soak.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    mails: { type: 'string', default: '300' },
    kills: { type: 'string', default: '20' },
    db: { type: 'string', default: 'embedded' },
    'mongodb-uri': { type: 'string' },
    'startup-kills': { type: 'string', default: '0.2' },
    'serving-life-ms': { type: 'string', default: '0-6000' },
    'settle-timeout-ms': { type: 'string', default: '120000' },
    keep: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
});

const usage = (message: string): never => {
  console.error(message);
  process.exit(2);
};
const int = (name: string, raw: string | undefined, min: number): number => {
  const n = Number(raw);
  return Number.isInteger(n) && n >= min ? n : usage(`--${name} must be an integer of at least ${min}, got ${raw}`);
};
if (!['embedded', 'external'].includes(values.db)) usage(`--db must be embedded or external, got ${values.db}`);
const share = Number(values['startup-kills']);
if (!(share >= 0 && share <= 1)) usage(`--startup-kills must be a share between 0 and 1, got ${values['startup-kills']}`);
const life = /^(\d+)-(\d+)$/.exec(values['serving-life-ms']);
if (!life || Number(life[1]) > Number(life[2])) usage(`--serving-life-ms must be MIN-MAX in ms, got ${values['serving-life-ms']}`);
const report = await runCrashSoak({
  seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : int('seed', values.seed, 0),
  mails: int('mails', values.mails, 1),
  kills: int('kills', values.kills, 0),
  db: values.db as SoakDbMode,
  ...(values['mongodb-uri'] ? { mongoUri: values['mongodb-uri'] } : {}),
  startupKillShare: share,
  servingLifeMs: [Number(life![1]), Number(life![2])],
  settleTimeoutMs: int('settle-timeout-ms', values['settle-timeout-ms'], 1000),
  keep: values.keep,
  log: values.quiet ? undefined : (line) => console.log(`[soak +${process.uptime().toFixed(1)}s] ${line}`),
});
console.log(`\n${report.summary}`);
process.exit(report.ok ? 0 : 1);
