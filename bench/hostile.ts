/**
 * Hostile mail benchmark: Threadline runs as `npm start` does (web, pollers and jobs in one process,
 * the built-in database inside it) while a loopback Dovecot delivers mail that used to stall that
 * process: 60k and 200k nested divs, 200k nested divs as base64 HTML only (its reading runs into the
 * time budget), 20k addresses in Cc. A client polls /healthz every 50 ms throughout; the bench prints
 * its p50/p99 per mail against the same run's idle baseline, the time from APPEND to the ticket in the
 * API, and the time to open the ticket page with its framed bodies. Targets: /healthz p99 under 200 ms
 * throughout, the ticket open in under 500 ms. Run: `npm run bench -- hostile` (needs root and
 * dovecot-imapd). BENCH_BASELINE_MS (default 5000) sets the idle sampling time.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startDovecot } from '../test/helpers/dovecot.js';
import { manyCcMail, nestedHtmlMail } from '../test/helpers/hostile-mail.js';
import { readFixture } from '../test/helpers/mail-fixtures.js';
import { freePort, spawnEntry } from '../test/helpers/process.js';
import { percentile, printTable } from './stats.js';
import { logIn } from './web-login.js';
import { startSmtp } from '../test/helpers/smtp.js';

const USER = 'support@hostile.bench.test';
const ADMIN = { email: 'bench@example.com', password: 'bench-admin-password' };
const BASELINE_MS = Number(process.env.BENCH_BASELINE_MS ?? 5000);
const HEALTH_TARGET_MS = 200;
const OPEN_TARGET_MS = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The hostile mails, each with a subject of its own to find its ticket by. */
function hostileMails(): Array<{ name: string; raw: Buffer }> {
  const base64HtmlOnly = (() => {
    const qp = nestedHtmlMail(200_000, { textPart: false, messageId: 'bench-200k-b64@customer.example', to: USER }).toString('latin1');
    const split = qp.indexOf('\r\n\r\n');
    const html = qp.slice(split + 4).replace(/=\r\n/g, '').replace(/=3D/g, '=');
    const head = qp.slice(0, split).replace('quoted-printable', 'base64').replace('nested divs)', 'nested divs, base64)');
    return Buffer.from(`${head}\r\n\r\n${Buffer.from(html).toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`, 'latin1');
  })();
  return [
    { name: '60k nested divs (text + HTML, 0.7 MB)', raw: Buffer.from(readFixture('hostile/deeply-nested-html-60k-divs.eml').toString('latin1').replace('support@example.test', USER), 'latin1') },
    { name: '200k nested divs (text + HTML, 2.3 MB)', raw: nestedHtmlMail(200_000, { textPart: true, messageId: 'bench-200k@customer.example', to: USER }) },
    { name: '200k nested divs (HTML only, base64, 3 MB)', raw: base64HtmlOnly },
    { name: '20k addresses in Cc (0.6 MB)', raw: manyCcMail(20_000, { messageId: 'bench-cc-20k@customer.example', to: USER }) },
  ];
}

/** Polls /healthz every 50 ms, never waiting for an answer before the next request. */
function probeHealth(url: string) {
  const samples: Array<{ at: number; ms: number }> = [];
  const timer = setInterval(() => {
    const at = performance.now();
    const record = () => void samples.push({ at, ms: performance.now() - at });
    fetch(url, { signal: AbortSignal.timeout(300_000) }).then((res) => res.arrayBuffer()).then(record, record);
  }, 50);
  return {
    between: (from: number, to: number) => samples.filter((s) => s.at >= from && s.at < to).map((s) => s.ms),
    stop: () => clearInterval(timer),
  };
}

/** Opens the ticket page and every mail body it frames, in sequence as a browser would start them: total ms. */
async function openTicket(base: string, cookie: string, ticketId: string): Promise<{ pageMs: number; totalMs: number }> {
  const t0 = performance.now();
  const page = await fetch(`${base}/tickets/${ticketId}`, { headers: { cookie } });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`ticket page answered ${page.status}`);
  const pageMs = performance.now() - t0;
  const frames = [...html.matchAll(/<iframe class="mail-body" src="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  await Promise.all(frames.map(async (src) => (await fetch(base + src, { headers: { cookie } })).arrayBuffer()));
  return { pageMs, totalMs: performance.now() - t0 };
}

async function main() {
  const dovecot = await startDovecot([USER]);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // As `npm start`: every role in one process; without MONGODB_URI the built-in database runs inside it too.
  const app = spawnEntry('src/server.ts', {
    PORT: String(port), SECRET_KEY: 'bench-secret-key-of-at-least-32-chars!!', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password,
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tl-bench-hostile-')), LOG_LEVEL: 'warn', POLLER_RESCAN_MS: '200',
  }, ['all']);
  for (let ready = false; !ready;) {
    if (app.child.exitCode !== null) throw new Error(`Threadline exited:\n${app.output()}`);
    ready = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (!ready) await sleep(100);
  }
  const { cookie, token } = await logIn(base, ADMIN.email, ADMIN.password);
  const api = async <T>(p: string, init: RequestInit = {}) =>
    (await (await fetch(`${base}/api/v1${p}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } })).json()) as T;
  // A real SMTP server: creating an inbox tests both connections, and one that fails is saved disabled.
  const smtp = await startSmtp();
  const inbox = await api<{ id: string; disabled?: unknown }>('/inboxes', {
    method: 'POST',
    body: JSON.stringify({ name: 'Hostile', address: USER, imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: USER, password: dovecot.password }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false } }),
  });
  if (inbox.disabled) throw new Error(`the bench inbox was saved disabled: ${JSON.stringify(inbox.disabled)}`);
  while ((await api<{ status: { state: string } }>(`/inboxes/${inbox.id}`)).status.state !== 'idle') await sleep(100);

  const health = probeHealth(`${base}/healthz`);
  const b0 = performance.now();
  await sleep(BASELINE_MS);
  const baseline = health.between(b0, performance.now());
  const client = await dovecot.client(USER);
  const rows: string[][] = [];
  let worstP99 = percentile(baseline, 99);
  let worstOpen = 0;
  rows.push(['baseline: idle, no hostile mail', String(baseline.length), percentile(baseline, 50).toFixed(1), percentile(baseline, 99).toFixed(1), Math.max(...baseline).toFixed(1), '–', '–', '–']);
  for (const mail of hostileMails()) {
    const subject = /^Subject: (.*)$/m.exec(mail.raw.toString('latin1'))![1]!;
    const t0 = performance.now();
    await client.append('INBOX', mail.raw);
    let ticketId: string | undefined;
    while (!ticketId) {
      const list = await api<{ items: Array<{ id: string; subject: string }> }>('/tickets?limit=10');
      ticketId = list.items.find((t) => t.subject === subject)?.id;
      if (!ticketId) await sleep(50);
    }
    const ingestMs = performance.now() - t0;
    // Let the follow-up work of the mail (auto-reply job, SLA) run inside the measured window too.
    await sleep(1000);
    const opens: Array<{ pageMs: number; totalMs: number }> = [];
    for (let i = 0; i < 5; i++) opens.push(await openTicket(base, cookie, ticketId));
    const during = health.between(t0, performance.now());
    const open = percentile(opens.map((o) => o.totalMs), 50);
    worstP99 = Math.max(worstP99, percentile(during, 99));
    worstOpen = Math.max(worstOpen, ...opens.map((o) => o.totalMs));
    rows.push([mail.name, String(during.length), percentile(during, 50).toFixed(1), percentile(during, 99).toFixed(1), Math.max(...during).toFixed(1), ingestMs.toFixed(0), percentile(opens.map((o) => o.pageMs), 50).toFixed(0), `${open.toFixed(0)} (max ${Math.max(...opens.map((o) => o.totalMs)).toFixed(0)})`]);
  }
  health.stop();
  await client.logout();

  console.log(`\nHostile mail through IMAP into \`npm start\` (web, pollers, jobs and the built-in database in one process); /healthz polled every 50 ms`);
  printTable(['mail', 'healthz n', 'p50 ms', 'p99 ms', 'max ms', 'APPEND → ticket ms', 'page ms', 'page + frames ms (median of 5)'], rows);
  const base50 = percentile(baseline, 50);
  console.log(`\nworst /healthz p99 ${worstP99.toFixed(1)} ms (target < ${HEALTH_TARGET_MS}; idle p50 ${base50.toFixed(1)} ms): ${worstP99 < HEALTH_TARGET_MS ? 'met' : 'MISSED'}`);
  console.log(`slowest ticket open ${worstOpen.toFixed(0)} ms (target < ${OPEN_TARGET_MS}): ${worstOpen < OPEN_TARGET_MS ? 'met' : 'MISSED'}`);
  app.child.kill('SIGTERM');
  await app.exited;
  await dovecot.stop();
  await smtp.close();
  process.exit(worstP99 < HEALTH_TARGET_MS && worstOpen < OPEN_TARGET_MS ? 0 : 1);
}

await main();
