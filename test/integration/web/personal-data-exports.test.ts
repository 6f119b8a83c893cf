import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeStoredMail } from '../../../src/mail/compose-stored-mail.js';
import { renderEmail } from '../../../src/mail/render-email.js';
import { ingestEmail } from '../../../src/services/ingest/ingest-email.js';
import { PERSONAL_DATA_EXPORT_JOB, runPersonalDataExport } from '../../../src/services/personal-data/run-export.js';
import type { JobScheduler } from '../../../src/services/ports.js';
import { createBlobStore, type BlobStore } from '../../../src/store/blob-store.js';
import { createSecretBox, createSigner } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import { call, createUser, login, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { serve } from '../../helpers/http.js';
import { ingestDepsOver } from '../../helpers/ingest.js';
import { rawMail } from '../../helpers/mail.js';
import { compose } from '../../helpers/use-case-deps.js';
import { readZip } from '../../helpers/zip.js';
import { Client } from './pages-harness.js';

/*
 * A person's data exports through the API and the pages: asked for by an admin (202 / a form that
 * comes back to the contact page), made by the job, downloaded once as a zip by that admin (410
 * after), never by another admin (403) or a manager.
 */

let db: Awaited<ReturnType<typeof openTestDb>>;
let blobs: BlobStore;
let server: Awaited<ReturnType<typeof serve>>;
let api: string;
let contactId: string;
const tokens = { ada: '', bea: '', max: '' };
const pages: { ada?: Client; bea?: Client; max?: Client } = {};
const jobs: string[] = [];
const scheduler: JobScheduler = {
  schedule: async (name, opts) => void (name === PERSONAL_DATA_EXPORT_JOB && opts.key && jobs.push(opts.key)),
  cancel: async () => {},
  cancelMatching: async () => {},
  replaceMatching: async () => {},
  scheduleRecurring: async () => {},
};

/** Runs the export jobs scheduled so far, as the job worker would. */
async function runJobs(): Promise<void> {
  const deps = { ...db.stores, blobs, composeStoredMail, now: () => new Date() };
  for (const key of jobs.splice(0)) await runPersonalDataExport(deps, new Types.ObjectId(key));
}

const download = (path: string, token: string) => fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  db = await openTestDb('web_pd_exports');
  blobs = createBlobStore(db.connection.db!);
  await blobs.ensureIndexes();
  const now = () => new Date();
  const actions = { ...db.stores, now, scheduler, compose, sign: createSigner(TEST_SECRET_KEY), render: renderEmail, logger: testLogger, ticketUrlBase: null, refreshSla: async () => {} };
  const secrets = createSecretBox(TEST_SECRET_KEY);
  const app = createApp({
    logger: testLogger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    api: { stores: db.stores, passwords: TEST_PASSWORDS, secrets, blobs, now, automation: actions },
    pages: { stores: db.stores, passwords: TEST_PASSWORDS, now, publicUrl: null, blobs, secrets, actions },
  });
  server = await serve(app);
  api = `${server.base}/api/v1`;

  const inbox = await db.models.Inbox.create({ name: 'Support', address: 'support@example.test', imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false } });
  const ingest = ingestDepsOver(db, blobs, { now, ownAddresses: async () => new Set(['support@example.test']) });
  await ingestEmail(ingest, { inboxId: inbox._id, raw: rawMail({ from: 'Rita Requester <rita@person.test>', subject: 'Lost parcel', body: 'My parcel never came.' }), source: null });
  contactId = (await db.models.Contact.findOne({ email: 'rita@person.test' }).lean())!._id.toHexString();

  await createUser(db.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  await createUser(db.models, { email: 'bea@example.test', password: 'bea password 123', role: 'admin', name: 'Bea' });
  await createUser(db.models, { email: 'max@example.test', password: 'max password 123', role: 'manager', inboxIds: [inbox._id], name: 'Max' });
  tokens.ada = await login(api, 'ada@example.test', 'ada password 123');
  tokens.bea = await login(api, 'bea@example.test', 'bea password 123');
  tokens.max = await login(api, 'max@example.test', 'max password 123');
  pages.ada = await Client.signedIn(server.base, 'ada@example.test', 'ada password 123');
  pages.bea = await Client.signedIn(server.base, 'bea@example.test', 'bea password 123');
  pages.max = await Client.signedIn(server.base, 'max@example.test', 'max password 123');
});

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

describe('/api/v1/contacts/{id}/exports', () => {
  it('queues an export (202), lists it, and serves its zip once to the admin who asked', async () => {
    const asked = await call(api, 'POST', `/contacts/${contactId}/exports`, { token: tokens.ada });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ contactId, state: 'queued', downloadable: false, requestedBy: { name: null } });
    const id = asked.body.id as string;
    expect(jobs).toEqual([id]);

    const early = await download(`/contacts/${contactId}/exports/${id}/download`, tokens.ada);
    expect(early.status).toBe(409);
    await runJobs();

    const listed = await call(api, 'GET', `/contacts/${contactId}/exports`, { token: tokens.ada });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ id, state: 'ready', downloadable: true, downloadPath: `/api/v1/contacts/${contactId}/exports/${id}/download`, requestedBy: expect.objectContaining({ name: 'Ada' }) })]);
    expect((await call(api, 'GET', `/contacts/${contactId}/exports`, { token: tokens.bea })).body.items).toEqual([expect.objectContaining({ id, downloadable: false, downloadPath: null })]);

    expect((await download(`/contacts/${contactId}/exports/${id}/download`, tokens.bea)).status).toBe(403);
    expect((await download(`/contacts/${contactId}/exports/${id}/download`, tokens.max)).status).toBe(403);
    const res = await download(listed.body.items[0].downloadPath.replace('/api/v1', ''), tokens.ada);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="personal-data-\\d{4}-\\d{2}-\\d{2}-${id}\\.zip"`));
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const zip = readZip(Buffer.from(await res.arrayBuffer()));
    const person = JSON.parse(zip.get('person.json')!.toString('utf8'));
    expect(person.person.primary.email).toBe('rita@person.test');
    expect(person.messages).toEqual([expect.objectContaining({ subject: 'Lost parcel', text: expect.stringContaining('My parcel never came.') })]);
    expect(zip.get(person.messages[0].eml)!.toString('utf8')).toContain('My parcel never came.');

    const again = await call(api, 'GET', `/contacts/${contactId}/exports/${id}/download`, { token: tokens.ada });
    expect(again.status).toBe(410);
    expect(again.body.error).toMatchObject({ code: 'GONE', message: expect.stringMatching(/already downloaded/) });
    expect(await db.models.AccessLog.countDocuments({ action: { $in: ['export_requested', 'export_downloaded'] } })).toBe(2);
    expect((await call(api, 'GET', `/contacts/${contactId}/exports`, { token: tokens.ada })).body.items[0]).toMatchObject({ state: 'downloaded', downloadable: false });
  });

  it('is for admins only, and 404 for an unknown contact or export', async () => {
    expect((await call(api, 'POST', `/contacts/${contactId}/exports`, { token: tokens.max })).status).toBe(403);
    expect((await call(api, 'GET', `/contacts/${contactId}/exports`, { token: tokens.max })).body).toEqual({ items: [] });
    expect((await call(api, 'POST', `/contacts/${new Types.ObjectId().toHexString()}/exports`, { token: tokens.ada })).status).toBe(404);
    expect((await call(api, 'POST', '/contacts/nope/exports', { token: tokens.ada })).status).toBe(404);
    expect((await call(api, 'GET', `/contacts/${contactId}/exports/${new Types.ObjectId().toHexString()}/download`, { token: tokens.ada })).status).toBe(404);
    expect((await call(api, 'GET', `/contacts/${contactId}/exports/%ff/download`, { token: tokens.ada })).status).toBeLessThan(500);
  });
});

describe('the export pages (no JavaScript)', () => {
  it('asks for an export with a form, back to the contact page, and downloads it once; in French the second time says why', async () => {
    const ada = pages.ada!;
    const home = await ada.get('/');
    const posted = await ada.post(`/contacts/${contactId}/exports`, { _csrf: Client.csrf(home.text) });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/contacts/${contactId}#exports`);
    expect((await ada.post(`/contacts/${contactId}/exports`, { _csrf: 'forged' })).status).toBe(403);
    const [id] = [...jobs];
    await runJobs();

    // The contact page lists it (the partial): a download link for Ada alone, nothing for a manager.
    const contactPage = await ada.get(`/contacts/${contactId}`);
    expect(contactPage.status).toBe(200);
    expect(contactPage.text).toContain('id="exports"');
    expect(contactPage.text).toContain(`href="/contacts/${contactId}/exports/${id}/download"`);
    const beaPage = await pages.bea!.get(`/contacts/${contactId}`);
    expect(beaPage.text).toContain('id="exports"');
    expect(beaPage.text).not.toContain(`/exports/${id}/download`);
    expect((await pages.max!.get(`/contacts/${contactId}`)).text).not.toContain('id="exports"');

    expect((await pages.bea!.get(`/contacts/${contactId}/exports/${id}/download`)).status).toBe(403);
    const first = await ada.get(`/contacts/${contactId}/exports/${id}/download`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/zip');
    const second = await ada.request('GET', `/contacts/${contactId}/exports/${id}/download`);
    expect(second.status).toBe(410);
    expect(second.text).toContain('already downloaded');
    expect((await ada.get(`/contacts/${contactId}`)).text).not.toContain(`/exports/${id}/download`);

    const fr = new Client(server.base, undefined, { 'accept-language': 'fr' });
    await fr.login('ada@example.test', 'ada password 123');
    const gone = await fr.get(`/contacts/${contactId}/exports/${id}/download`);
    expect(gone.status).toBe(410);
    expect(gone.text).toContain('Cet export a déjà été téléchargé\u202f:');
  });
});
