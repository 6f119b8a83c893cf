import { Types } from 'mongoose';
import { createConnectionChecks } from '../../../src/mail/connection-check.js';
import { renderEmail, validateTemplateOverride } from '../../../src/mail/render-email.js';
import { quarantineMail } from '../../../src/services/ingest/quarantine-mail.js';
import { ingestEmail } from '../../../src/services/ingest/ingest-email.js';
import { contentHashOf } from '../../../src/domain/dedupe.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import { createUser, login, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { serve } from '../../helpers/http.js';
import { quarantineScreenDeps } from '../../helpers/ingest.js';
import { readFixture } from '../../helpers/mail-fixtures.js';
import { compose, noJobs } from '../../helpers/use-case-deps.js';
import { Client } from './pages-harness.js';

/** Received mail larger than this is quarantined for its size in these tests (the fixtures are larger). */
const MAX_BYTES = 200;

/**
 * Pages and API on one database with the quarantine screen, two inboxes, one user of each role signed
 * in (pages and API), and three quarantined mails, each set aside the way production does it:
 * `tooLarge` by the ingest pipeline (size limit, Support), `failing` (a short mail) by the pollers'
 * quarantine after repeated failures (Billing), `forged` as a refused answer to a notification (Support).
 */
export async function startQuarantine(prefix: string) {
  const db = await openTestDb(prefix);
  const now = () => new Date();
  const blobs = createBlobStore(db.connection.db!);
  await blobs.ensureIndexes();
  const secrets = createSecretBox(TEST_SECRET_KEY);
  const quarantine = quarantineScreenDeps(db, blobs, now, MAX_BYTES);
  const settings = { connectionChecks: createConnectionChecks({ timeoutMs: 5000 }), validateTemplate: validateTemplateOverride, render: renderEmail, scheduler: noJobs, quarantine };
  const app = createApp({
    logger: testLogger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    api: { stores: db.stores, passwords: TEST_PASSWORDS, secrets, blobs, now, quarantine },
    pages: {
      stores: db.stores, passwords: TEST_PASSWORDS, now, publicUrl: null, blobs, secrets, settings,
      actions: { ...db.stores, now, scheduler: noJobs, compose, sign: (() => '') as never, refreshSla: async () => {} },
    },
  });
  const server = await serve(app);
  const account = { imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} };
  const support = new Types.ObjectId();
  const billing = new Types.ObjectId();
  await db.models.Inbox.create({ _id: support, name: 'Support', address: 'support@example.test', ...account });
  await db.models.Inbox.create({ _id: billing, name: 'Billing', address: 'billing@example.test', ...account });

  const question = readFixture('quarantine/customer-question.eml');
  const short = readFixture('quarantine/short-question.eml');
  const forgedRaw = readFixture('quarantine/forged-notification-answer.eml');
  const source = { folder: 'INBOX', uidValidity: '7', uid: 41 };
  const first = await ingestEmail(quarantine.ingest, { inboxId: support, raw: question, source });
  if (first.outcome !== 'quarantined' || first.reason !== 'MAIL_TOO_LARGE') throw new Error(`the fixture was not set aside for its size: ${JSON.stringify(first)}`);
  const tooLarge = (await db.models.Quarantine.findOne({ inboxId: support, reason: 'MAIL_TOO_LARGE' }).lean())!._id.toHexString();
  const put = (inboxId: Types.ObjectId, raw: Buffer, reason: string, detail: string) =>
    quarantineMail({ quarantine: db.stores.quarantine, blobs, now }, { inboxId, raw, contentHash: contentHashOf(raw), reason, detail, source: { ...source, uid: 42 } });
  const failing = (await put(billing, short, 'INGEST_FAILED', 'Error: write conflict\n    at ingest')).toHexString();
  const forged = (await put(support, forgedRaw, 'NOTIFICATION_REPLY_REFUSED', 'no valid signature')).toHexString();

  const users = {
    admin: { email: 'ada@example.test', password: 'ada password 123' },
    manager: { email: 'max@example.test', password: 'max password 123' },
    agent: { email: 'gina@example.test', password: 'gina password 123' },
  };
  await createUser(db.models, { ...users.admin, role: 'admin', name: 'Ada' });
  await createUser(db.models, { ...users.manager, role: 'manager', inboxIds: [support, billing], name: 'Max' });
  await createUser(db.models, { ...users.agent, inboxIds: [support], name: 'Gina' });
  const api = `${server.base}/api/v1`;
  const pages = { admin: new Client(server.base), manager: new Client(server.base), agent: new Client(server.base) };
  const tokens = { admin: '', manager: '', agent: '' };
  for (const role of ['admin', 'manager', 'agent'] as const) {
    await pages[role].login(users[role].email, users[role].password);
    tokens[role] = await login(api, users[role].email, users[role].password);
  }
  return {
    base: server.base, api, db, models: db.models, blobs, question,
    ids: { tooLarge, failing, forged }, inboxes: { support, billing }, pages, tokens,
    async close() {
      await server.close();
      await db.drop();
    },
  };
}
