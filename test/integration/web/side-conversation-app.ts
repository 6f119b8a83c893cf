import type { Types } from 'mongoose';
import { createBlobStore } from '../../../src/store/blob-store.js';
import { createSecretBox, createSigner } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import { TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { serve } from '../../helpers/http.js';
import { ingestDepsOver } from '../../helpers/ingest.js';
import { compose, noJobs } from '../../helpers/use-case-deps.js';

/**
 * The pages and the JSON API with the ticket actions side conversations use (a real signer, no jobs,
 * no email layout), over a fresh test database, and the ingest pipeline that files a partner's or a
 * customer's answer. `ownAddresses` are the inboxes' addresses ingest never treats as a customer.
 */
export async function startSideConversationApp(prefix: string, ownAddresses: readonly string[]) {
  const db = await openTestDb(prefix);
  const now = () => new Date();
  const blobs = createBlobStore(db.connection.db!);
  const secrets = createSecretBox(TEST_SECRET_KEY);
  const sign = createSigner(TEST_SECRET_KEY);
  const actions = { ...db.stores, now, scheduler: noJobs, compose, sign, refreshSla: async () => {} };
  const automation = { ...actions, render: (async () => ({})) as never, ticketUrlBase: null };
  const app = createApp({
    logger: testLogger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    api: { stores: db.stores, passwords: TEST_PASSWORDS, secrets, blobs, now, automation },
    pages: { stores: db.stores, passwords: TEST_PASSWORDS, now, publicUrl: null, blobs, actions, secrets, settings: { scheduler: noJobs } as never },
  });
  const server = await serve(app);
  const ingest = ingestDepsOver(db, blobs, { now, sign, maxBytes: 1e7, ownAddresses: async () => new Set(ownAddresses) });
  return {
    db,
    base: server.base,
    api: `${server.base}/api/v1`,
    sign,
    ingest,
    /** Creates an inbox with placeholder mail servers (nothing is fetched or sent here). */
    inbox: async (name: string, address: string): Promise<Types.ObjectId> =>
      (await db.models.Inbox.create({ name, address, imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false } }))._id,
    async close() {
      await server.close();
      await db.drop();
    },
  };
}
