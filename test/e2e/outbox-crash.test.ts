import { Agenda } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createScheduler } from '../../src/jobs/scheduler.js';
import { createSigner } from '../../src/store/secret-box.js';
import { queueMail } from '../../src/services/outbound/queue-mail.js';
import { openTestDb } from '../helpers/db.js';
import { TEST_SECRET_KEY } from '../helpers/inbox.js';
import { spawnEntry, workerEnv, type Spawned } from '../helpers/process.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { withDbName } from '../helpers/uri.js';
import { compose } from '../helpers/use-case-deps.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let smtp: TestSmtp;
const running: Spawned[] = [];

beforeAll(async () => {
  db = await openTestDb('outbox_crash');
  smtp = await startSmtp();
});
afterAll(async () => {
  for (const p of running) p.child.kill('SIGKILL');
  await smtp.close();
  await db.drop();
});

function startJobs(crashAt?: string): Spawned {
  const p = spawnEntry(
    'workers/jobs.ts',
    workerEnv(withDbName(inject('mongoUri'), db.connection.name), {
      JOBS_PROCESS_EVERY_MS: '50',
      JOBS_LOCK_LIFETIME_MS: '1000',
      ...(crashAt ? { THREADLINE_TEST_CRASH_AT: crashAt } : {}),
    }),
  );
  running.push(p);
  return p;
}

describe('job worker killed right after the SMTP server accepted a mail', () => {
  it('sends it again only as the very same message, with the same Message-ID', async () => {
    const inbox = await db.models.Inbox.create({ name: 'Support', address: 'support@help.example.test', imap: { host: 'h', port: 1 }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false } });
    const ticket = await db.models.Ticket.create({ number: 77, inboxId: inbox._id, subject: 'Refund', requester: { email: 'ann@customer.test' } });
    const agenda = new Agenda({ backend: new MongoBackend({ mongo: db.connection.db!, collection: 'jobs' }) });
    await agenda.ready;
    const item = await queueMail(
      { ...db.stores, scheduler: createScheduler(agenda, db.connection.db!.collection('jobs')), compose, sign: createSigner(TEST_SECRET_KEY), now: () => new Date() },
      {
        kind: 'agent-reply', inbox, ticket: { _id: ticket._id, number: 77 }, dedupeKey: 'crash-reply', to: [{ address: 'ann@customer.test', name: null }],
        subject: 'Re: Refund [#77]', text: 'Your refund is on its way.', envelopeFrom: inbox.address, storeAsMessage: true,
      },
    );

    const doomed = startJobs('smtp-accepted');
    expect((await doomed.exited).signal, doomed.output()).toBe('SIGKILL');
    expect(smtp.received).toHaveLength(1);
    expect((await db.models.Outbox.findById(item._id).lean())!.state).toBe('sending');

    const survivor = startJobs();
    await expect.poll(async () => (await db.models.Outbox.findById(item._id).lean())?.state, { timeout: 20_000 }).toBe('sent');
    survivor.child.kill('SIGTERM');
    expect((await survivor.exited).code).toBe(0);

    // At most a repeat of the identical message (clients fold it by Message-ID); never a new one.
    const ids = smtp.received.map((m) => /^Message-ID: <([^>]+)>/im.exec(m.raw.toString())?.[1]);
    expect(new Set(ids)).toEqual(new Set([item.messageId]));
    expect(new Set(smtp.received.map((m) => m.raw.toString())).size).toBe(1);
    expect(await db.models.Outbox.countDocuments()).toBe(1);
    expect(await db.models.Message.countDocuments({ direction: 'outbound' })).toBe(1);
  }, 60_000);
});
