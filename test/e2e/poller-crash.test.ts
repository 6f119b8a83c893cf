import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openTestDb } from '../helpers/db.js';
import { startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { createImapInbox } from '../helpers/inbox.js';
import { rawMail } from '../helpers/mail.js';
import { spawnEntry, workerEnv, type Spawned } from '../helpers/process.js';
import { withDbName } from '../helpers/uri.js';

let dovecot: DovecotServer;
let db: Awaited<ReturnType<typeof openTestDb>>;
const running: Spawned[] = [];

beforeAll(async () => {
  dovecot = await startDovecot(['parse@example.test', 'store@example.test', 'cursor@example.test', 'idle@example.test']);
  db = await openTestDb('crash');
});
afterAll(async () => {
  for (const p of running) p.child.kill('SIGKILL');
  await db.drop();
  await dovecot.stop();
});

function startPoller(crashAt?: string): Spawned {
  const p = spawnEntry(
    'workers/poller.ts',
    workerEnv(withDbName(inject('mongoUri'), db.connection.name), {
      POLLER_LEASE_MS: '1500',
      POLLER_RESCAN_MS: '200',
      POLLER_FETCH_BATCH: '2',
      ...(crashAt ? { THREADLINE_TEST_CRASH_AT: crashAt } : {}),
    }),
  );
  running.push(p);
  return p;
}

async function scenario(user: string, crashAt: string, before: number, during: number) {
  const inbox = await createImapInbox(db.models, { address: user, port: dovecot.port, password: dovecot.password });
  const ids = [...Array(before + during).keys()].map((i) => `${user.split('@')[0]}-${i}@c.test`);
  for (const id of ids.slice(0, before)) await dovecot.append(user, rawMail({ to: user, messageId: id, subject: `Mail ${id}` }));

  const doomed = startPoller(crashAt);
  const died = await doomed.exited;
  expect(died.signal, doomed.output()).toBe('SIGKILL');
  for (const id of ids.slice(before)) await dovecot.append(user, rawMail({ to: user, messageId: id, subject: `Mail ${id}` }));

  const survivor = startPoller();
  await expect.poll(() => db.models.Message.countDocuments({ deliveredTo: inbox._id, ingestState: 'complete' }), { timeout: 30_000 }).toBe(ids.length);
  survivor.child.kill('SIGTERM');
  expect((await survivor.exited).code).toBe(0);

  for (const id of ids) expect(await db.models.Message.countDocuments({ messageId: id }), id).toBe(1);
  expect(await db.models.Ticket.countDocuments({ inboxId: inbox._id })).toBe(ids.length);
  const tickets = await db.models.Ticket.find({ inboxId: inbox._id }).lean();
  expect(tickets.every((t) => t.messageCount === 1)).toBe(true);
  const cursor = await db.models.MailboxCursor.findById(`${inbox._id.toHexString()}:INBOX`).lean();
  expect(cursor!.lastUid).toBe(ids.length);
}

describe('worker killed with SIGKILL, then restarted: every message exactly once', () => {
  it('between parse and store', () => scenario('parse@example.test', 'parsed:3', 5, 0), 60_000);
  it('between store and the ticket update', () => scenario('store@example.test', 'stored:2', 5, 0), 60_000);
  it('between store and cursor update', () => scenario('cursor@example.test', 'ingested:3', 5, 0), 60_000);
  it('during IDLE, with mail arriving while it is down', () => scenario('idle@example.test', 'idle', 3, 3), 60_000);
});
