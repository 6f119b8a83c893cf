import { createBlobStore } from '../../../src/store/blob-store.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import type { LoginLimits } from '../../../src/services/auth/login-throttle.js';
import { createApp } from '../../../src/web/create-app.js';
import { TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { serve } from '../../helpers/http.js';
import { compose, noJobs } from '../../helpers/use-case-deps.js';

/**
 * One app serving both the browser pages and the JSON API on one database, as production does, for
 * the rules the two share (the login throttle, API tokens made and revoked from either side).
 */
export async function startPagesAndApi(prefix: string, loginLimits?: LoginLimits) {
  const db = await openTestDb(prefix);
  let fixedNow: Date | null = null;
  const now = () => fixedNow ?? new Date();
  const blobs = createBlobStore(db.connection.db!);
  const secrets = createSecretBox(TEST_SECRET_KEY);
  const limits = loginLimits ? { loginLimits } : {};
  const app = createApp({
    logger: testLogger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    api: { stores: db.stores, passwords: TEST_PASSWORDS, secrets, blobs, now, ...limits },
    pages: {
      stores: db.stores, passwords: TEST_PASSWORDS,
      now,
      publicUrl: null,
      blobs,
      // These tests never send a reply, so the signer is never reached; notifications schedule no mail job here.
      actions: { ...db.stores, now, scheduler: noJobs, compose, sign: (() => '') as never, refreshSla: async () => {} },
      secrets,
      ...limits,
    },
  });
  const server = await serve(app);
  return {
    base: server.base,
    api: `${server.base}/api/v1`,
    models: db.models,
    stores: db.stores,
    setNow: (d: Date | null) => void (fixedNow = d),
    async close() {
      await server.close();
      await db.drop();
    },
  };
}
