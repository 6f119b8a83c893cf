import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEmail, type IngestResult } from '../../../src/services/ingest/ingest-email.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import type { Models } from '../../../src/store/models/index.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import { call, createUser, login, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { serve } from '../../helpers/http.js';
import { rawMail } from '../../helpers/mail.js';
import { ingestDepsOver } from '../../helpers/ingest.js';
import { Client } from './pages-harness.js';
import { compose, noJobs } from '../../helpers/use-case-deps.js';

// Regression: "Automatic merges never cross inboxes". An agent of inbox A must not learn anything of
// inbox B's ticket through the trail of an A ticket that a mail related to it.

let base: string;
let models: Models;
let close: () => Promise<void>;
let agentToken: string;
let adminToken: string;
let agentPages: Client;
let adminPages: Client;
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();
let ticketA: Types.ObjectId;
let ticketB: Types.ObjectId;
let numberB: number;
let attachmentB: string;
const B_SECRETS = ['B-only internal note', 'B-only customer body', 'b-only-quote.txt', 'Quote for B'];

function attachmentMail(opts: { to: string; messageId: string; subject: string; body: string; filename: string }): Buffer {
  const lines = [
    'From: Ann Customer <ann@customer.test>',
    `To: ${opts.to}`,
    `Subject: ${opts.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${opts.messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    opts.body,
    '--b1',
    `Content-Type: text/plain; name="${opts.filename}"`,
    `Content-Disposition: attachment; filename="${opts.filename}"`,
    '',
    'price list',
    '--b1--',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

beforeAll(async () => {
  const db = await openTestDb('xinbox_trail');
  models = db.models;
  const blobs = createBlobStore(db.connection.db!);
  await blobs.ensureIndexes();
  const now = () => new Date();
  const secrets = createSecretBox(TEST_SECRET_KEY);
  const app = createApp({
    logger: testLogger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    api: { stores: db.stores, passwords: TEST_PASSWORDS, secrets, blobs, now },
    pages: { stores: db.stores, passwords: TEST_PASSWORDS, now, publicUrl: null, blobs, secrets, actions: { ...db.stores, now, scheduler: noJobs, compose, sign: (() => '') as never, refreshSla: async () => {} } },
  });
  const server = await serve(app);
  base = server.base;
  close = async () => {
    await server.close();
    await db.drop();
  };

  await models.Inbox.create([
    { _id: inboxA, name: 'Support', address: 'support@example.test', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } },
    { _id: inboxB, name: 'Sales', address: 'sales@example.test', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } },
  ]);
  await createUser(models, { email: 'admin@example.test', password: 'admin password 123', role: 'admin' });
  await createUser(models, { email: 'agent@example.test', password: 'agent password 123', inboxIds: [inboxA] });

  const deps = ingestDepsOver({ models, stores: db.stores }, blobs, {
    now,
    ownAddresses: async () => new Set(['support@example.test', 'sales@example.test']),
    maxBytes: 10 * 1024 * 1024,
  });
  const ticketOf = (r: IngestResult) => ('ticketId' in r ? r.ticketId : Promise.reject(new Error(JSON.stringify(r))));
  const ingest = async (raw: Buffer, inboxId: Types.ObjectId) => ticketOf(await ingestEmail(deps, { inboxId, raw, source: null }));

  ticketA = await ingest(rawMail({ messageId: 'trail-a@customer.test', subject: 'Login broken' }), inboxA);
  ticketB = await ingest(attachmentMail({ to: 'sales@example.test', messageId: 'trail-b@customer.test', subject: 'Quote for B', body: 'B-only customer body', filename: 'b-only-quote.txt' }), inboxB);
  await models.Message.create({ ticketId: ticketB, inboxId: inboxB, direction: 'note', text: 'B-only internal note' });
  await ingest(rawMail({ messageId: 'trail-ab@customer.test', references: ['trail-a@customer.test', 'trail-b@customer.test'], subject: 'Re: Login broken' }), inboxA);
  const b = (await models.Ticket.findById(ticketB).lean())!;
  numberB = b.number;
  attachmentB = (await models.Message.findOne({ messageId: 'trail-b@customer.test' }).lean())!.attachments[0]!.fileId.toHexString();

  agentToken = await login(`${base}/api/v1`, 'agent@example.test', 'agent password 123');
  adminToken = await login(`${base}/api/v1`, 'admin@example.test', 'admin password 123');
  agentPages = new Client(base);
  await agentPages.login('agent@example.test', 'agent password 123');
  adminPages = new Client(base);
  await adminPages.login('admin@example.test', 'admin password 123');
});
afterAll(() => close());

const api = (token: string, path: string) => call(`${base}/api/v1`, 'GET', path, { token });
const relatedOf = (body: { events: Array<{ type: string; data: Record<string, unknown> }> }) => body.events.filter((e) => e.type === 'related');

describe('a ticket related to a ticket of another inbox', () => {
  it('shows an agent of A neither B’s ticket nor its id or number through the API', async () => {
    const res = await api(agentToken, `/tickets/${ticketA.toHexString()}`);
    expect(res.status).toBe(200);
    expect(res.body.messages).toHaveLength(2);
    expect(relatedOf(res.body)).toHaveLength(1);
    expect(relatedOf(res.body)[0]!.data).toEqual({ ticketId: null, number: null, reason: expect.any(String) });
    expect(res.text).not.toContain(ticketB.toHexString());
    expect(res.text).not.toContain(inboxB.toHexString());
    for (const secret of B_SECRETS) expect(res.text).not.toContain(secret);
    expect((await api(agentToken, `/tickets/${ticketB.toHexString()}`)).status).toBe(404);
    expect((await api(agentToken, `/attachments/${attachmentB}`)).status).toBe(404);
  });

  it('names B’s ticket to someone who can see it', async () => {
    const res = await api(adminToken, `/tickets/${ticketA.toHexString()}`);
    expect(relatedOf(res.body)[0]!.data).toEqual({ ticketId: ticketB.toHexString(), number: numberB, reason: expect.any(String) });
    const fromB = await api(adminToken, `/tickets/${ticketB.toHexString()}`);
    expect(fromB.body.messages).toHaveLength(2);
    expect(relatedOf(fromB.body)[0]!.data).toMatchObject({ ticketId: ticketA.toHexString() });
  });

  it('says "related to a ticket in another inbox" on the page of an agent of A, and links it for an admin', async () => {
    const page = await agentPages.get(`/tickets/${ticketA.toHexString()}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Related to a ticket in another inbox');
    expect(page.text).not.toContain(ticketB.toHexString());
    for (const secret of B_SECRETS) expect(page.text).not.toContain(secret);
    expect((await agentPages.get(`/tickets/${ticketB.toHexString()}`)).status).toBe(404);
    expect((await agentPages.get(`/attachments/${attachmentB}`)).status).toBe(404);

    const asAdmin = await adminPages.get(`/tickets/${ticketA.toHexString()}`);
    expect(asAdmin.text).toContain(`<a href="/tickets/${ticketB.toHexString()}">#${numberB}</a>`);
  });
});
