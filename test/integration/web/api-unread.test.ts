import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEmail } from '../../../src/mail/render-email.js';
import { ingestEmail } from '../../../src/services/ingest/ingest-email.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import { createSecretBox, createSigner } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import { call, createUser, login, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { testLogger } from '../../helpers/db.js';
import { serve } from '../../helpers/http.js';
import { ingestFixture } from '../../helpers/ingest.js';
import { rawMail } from '../../helpers/mail.js';
import { compose, noJobs } from '../../helpers/use-case-deps.js';

// Unread marks per agent through the JSON API, with customer mail through the real ingest: Ann and
// Bob work the same inbox, each with marks of their own.
let fx: Awaited<ReturnType<typeof ingestFixture>>;
let app: Awaited<ReturnType<typeof serve>>;
let base: string;
let ann: string;
let bob: string;
let outsider: string;
let ticketId: string;
const FIRST = 'first-mail@customer.test';

/** A customer's mail, ingested now (the ingest clock follows the real one: tests run on any date). */
async function customerMail(opts: Parameters<typeof rawMail>[0]): Promise<string> {
  fx.clock.now = new Date();
  const result = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: rawMail(opts), source: null });
  if (result.outcome !== 'ticketed') throw new Error(`not ticketed: ${result.outcome}`);
  return result.ticketId.toHexString();
}

/** Whether each listed ticket is unread for the caller, by id. */
async function unreadFor(token: string): Promise<Record<string, boolean>> {
  const res = await call(base, 'GET', '/tickets', { token });
  expect(res.status).toBe(200);
  return Object.fromEntries(res.body.items.map((t: { id: string; unread: boolean }) => [t.id, t.unread]));
}

beforeAll(async () => {
  fx = await ingestFixture('api_unread');
  const now = () => new Date();
  const blobs = createBlobStore(fx.db.connection.db!);
  const automation = { models: fx.models, ...fx.stores, now, scheduler: noJobs, compose, sign: createSigner(TEST_SECRET_KEY), render: renderEmail, logger: testLogger, ticketUrlBase: null, refreshSla: async () => {} };
  app = await serve(
    createApp({
      logger: testLogger,
      health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
      api: { stores: fx.stores, passwords: TEST_PASSWORDS, secrets: createSecretBox(TEST_SECRET_KEY), blobs, now, automation },
    }),
  );
  base = `${app.base}/api/v1`;
  const inboxIds = [fx.inbox._id];
  await createUser(fx.models, { email: 'ann@example.test', password: 'ann password 123', inboxIds, name: 'Ann' });
  await createUser(fx.models, { email: 'bob@example.test', password: 'bob password 123', inboxIds, name: 'Bob' });
  await createUser(fx.models, { email: 'olga@example.test', password: 'olga password 123', inboxIds: [new Types.ObjectId()], name: 'Olga' });
  [ann, bob, outsider] = await Promise.all([
    login(base, 'ann@example.test', 'ann password 123'),
    login(base, 'bob@example.test', 'bob password 123'),
    login(base, 'olga@example.test', 'olga password 123'),
  ]);
  ticketId = await customerMail({ subject: 'Printer is on fire', messageId: FIRST });
});
afterAll(async () => {
  await app?.close();
  await fx?.db.drop();
});

describe('unread marks per agent', () => {
  it('shows a new ticket unread to everyone until each opens it; opening it reads it for that agent only', async () => {
    expect(await unreadFor(ann)).toEqual({ [ticketId]: true });
    expect(await unreadFor(bob)).toEqual({ [ticketId]: true });

    expect((await call(base, 'GET', `/tickets/${ticketId}`, { token: ann })).status).toBe(200);
    expect(await unreadFor(ann)).toEqual({ [ticketId]: false });
    // Ann's mark is hers: Bob still has news to read.
    expect(await unreadFor(bob)).toEqual({ [ticketId]: true });
  });

  it("makes another agent's note and reply news, never the author's own", async () => {
    await call(base, 'GET', `/tickets/${ticketId}`, { token: bob });
    expect(await unreadFor(bob)).toEqual({ [ticketId]: false });

    const note = await call(base, 'POST', `/tickets/${ticketId}/notes`, { token: ann, body: { text: 'Checking the fuser.' } });
    expect(note.status).toBe(201);
    expect(await unreadFor(ann)).toEqual({ [ticketId]: false });
    expect(await unreadFor(bob)).toEqual({ [ticketId]: true });

    await call(base, 'GET', `/tickets/${ticketId}`, { token: bob });
    const reply = await call(base, 'POST', `/tickets/${ticketId}/replies`, { token: bob, body: { text: 'Please unplug it.' } });
    expect(reply.status).toBe(202);
    expect(await unreadFor(bob)).toEqual({ [ticketId]: false });
    expect(await unreadFor(ann)).toEqual({ [ticketId]: true });
  });

  it("makes the customer's next mail news for both, dated when it arrived rather than by its Date header", async () => {
    await call(base, 'GET', `/tickets/${ticketId}`, { token: ann });
    await call(base, 'GET', `/tickets/${ticketId}`, { token: bob });
    expect(await unreadFor(ann)).toEqual({ [ticketId]: false });
    // Written an hour ago (a slow mail server, a wrong clock), ingested now.
    const again = await customerMail({ subject: 'Re: Printer is on fire', inReplyTo: FIRST, references: [FIRST], date: new Date(Date.now() - 3600_000).toUTCString() });
    expect(again).toBe(ticketId);
    expect(await unreadFor(ann)).toEqual({ [ticketId]: true });
    expect(await unreadFor(bob)).toEqual({ [ticketId]: true });
  });

  it('marks read and unread on request, for the caller alone', async () => {
    const read = await call(base, 'POST', `/tickets/${ticketId}/read`, { token: ann });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ id: ticketId, unread: false });
    expect(await unreadFor(ann)).toEqual({ [ticketId]: false });
    expect(await unreadFor(bob)).toEqual({ [ticketId]: true });

    const unread = await call(base, 'POST', `/tickets/${ticketId}/unread`, { token: ann });
    expect(unread.body).toEqual({ id: ticketId, unread: true });
    expect(await unreadFor(ann)).toEqual({ [ticketId]: true });
    // Marked unread, it stays so, even past the caller's own note, until they open it.
    await call(base, 'POST', `/tickets/${ticketId}/notes`, { token: ann, body: { text: 'Later.' } });
    expect(await unreadFor(ann)).toEqual({ [ticketId]: true });
    await call(base, 'GET', `/tickets/${ticketId}`, { token: ann });
    expect(await unreadFor(ann)).toEqual({ [ticketId]: false });
    // One mark per person and ticket, whatever was asked how often.
    expect(await fx.models.TicketRead.countDocuments({ ticketId: new Types.ObjectId(ticketId) })).toBe(2);
  });

  it('hides tickets outside the caller\'s inboxes as missing', async () => {
    expect((await call(base, 'POST', `/tickets/${ticketId}/unread`, { token: outsider })).status).toBe(404);
    expect((await call(base, 'POST', `/tickets/${ticketId}/read`, { token: outsider })).status).toBe(404);
    expect((await call(base, 'POST', `/tickets/${new Types.ObjectId().toHexString()}/read`, { token: ann })).status).toBe(404);
    expect((await call(base, 'POST', `/tickets/${ticketId}/read`)).status).toBe(401);
    expect(await fx.models.TicketRead.countDocuments({ userId: { $nin: (await fx.models.User.find({ email: { $in: ['ann@example.test', 'bob@example.test'] } }).lean()).map((u) => u._id) } })).toBe(0);
  });
});
