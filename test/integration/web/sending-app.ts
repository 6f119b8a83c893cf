import type { Types } from 'mongoose';
import type { Models } from '../../../src/store/models/index.js';
import type { JobScheduler } from '../../../src/services/ports.js';
import { htmlToPlainText } from '../../../src/mail/html-text.js';
import { renderEmail } from '../../../src/mail/render-email.js';
import { sanitizeEmailHtml } from '../../../src/mail/sanitize-html.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import { createSecretBox, createSigner } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import { TEST_PASSWORDS } from '../../helpers/api.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { TEST_SECRET_KEY } from '../../helpers/inbox.js';
import { serve } from '../../helpers/http.js';
import { compose } from '../../helpers/use-case-deps.js';

/**
 * The pages and the JSON API with working ticket actions: a real signer, the real email layout, and
 * a scheduler that records the jobs it is given instead of running them. A settable clock.
 */
export async function startSendingApp(prefix: string) {
  const db = await openTestDb(prefix);
  let fixedNow: Date | null = null;
  const now = () => fixedNow ?? new Date();
  const blobs = createBlobStore(db.connection.db!);
  const scheduled: Array<{ name: string; key?: string }> = [];
  const scheduler: JobScheduler = {
    schedule: async (name, opts) => void scheduled.push({ name, ...(opts.key ? { key: opts.key } : {}) }),
    cancel: async () => {},
    cancelMatching: async () => {}, replaceMatching: async () => {},
    scheduleRecurring: async () => {},
  };
  const actions = {
    models: db.models, ...db.stores, now, scheduler, compose, sign: createSigner(TEST_SECRET_KEY), render: renderEmail, logger: testLogger, ticketUrlBase: null, refreshSla: async () => {},
    // An agent's HTML reply is sanitized and given a text part, as the composition root wires it.
    sanitizeHtml: (html: string) => sanitizeEmailHtml(html).html, htmlToText: htmlToPlainText,
  };
  const app = createApp({
    logger: testLogger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    api: { stores: db.stores, passwords: TEST_PASSWORDS, secrets: createSecretBox(TEST_SECRET_KEY), blobs, now, automation: actions },
    pages: { stores: db.stores, passwords: TEST_PASSWORDS, secrets: createSecretBox(TEST_SECRET_KEY), now, publicUrl: null, blobs, actions },
  });
  const server = await serve(app);
  return {
    base: server.base,
    models: db.models,
    stores: db.stores,
    blobs,
    sign: actions.sign,
    scheduled,
    setNow: (d: Date | null) => void (fixedNow = d),
    async close() {
      await server.close();
      await db.drop();
    },
  };
}

/**
 * A ticket of `inboxId` with one customer message received an hour ago, as ingest leaves it (its
 * Message-ID is `<idPrefix><number>@customer.test`); its id as hex.
 */
export async function receivedTicket(models: Models, inboxId: Types.ObjectId, number: number, idPrefix: string): Promise<string> {
  const hourAgo = new Date(Date.now() - 3600_000);
  const t = await models.Ticket.create({ number, inboxId, subject: `Case ${number}`, requester: { email: 'carl@customer.test', name: 'Carl' }, status: 'open' });
  const m = await models.Message.create({ ticketId: t._id, inboxId, direction: 'inbound', messageId: `${idPrefix}${number}@customer.test`, from: { address: 'carl@customer.test', name: 'Carl' }, subject: t.subject, text: 'It broke.', createdAt: hourAgo });
  await models.TicketEvent.create({ ticketId: t._id, type: 'message_received', actor: { kind: 'contact', label: 'carl@customer.test' }, at: hourAgo, data: { messageId: m._id } });
  return t._id.toHexString();
}
