import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention } from '../../../src/services/retention/apply-retention.js';
import { createUser } from '../../helpers/api.js';
import { testLogger } from '../../helpers/db.js';
import { Client, startPages } from './pages-harness.js';

const NNBSP = '\u202f';
const MONTH_MS = 31 * 86_400_000;
let h: Awaited<ReturnType<typeof startPages>>;
let admin: Client;
let manager: Client;
let french: Client;
const desk = new Types.ObjectId();
const other = new Types.ObjectId();
const path = `/settings/inboxes/${desk.toHexString()}/retention`;
const inbox = (_id: Types.ObjectId, name: string) => ({ _id, name, address: `${name.toLowerCase()}@example.test`, imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 }, options: {} });

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create([inbox(desk, 'Desk'), inbox(other, 'Other')]);
  await createUser(h.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin' });
  await createUser(h.models, { email: 'max@example.test', password: 'max password 123', role: 'manager', inboxIds: [desk] });
  await createUser(h.models, { email: 'amy@example.test', password: 'amy password 123', role: 'agent', inboxIds: [desk] });
  // Closed 3 and 14 months ago (tests run on any date, so the times follow the wall clock), and one still open.
  const ago = (months: number) => new Date(Date.now() - months * MONTH_MS);
  await h.models.Ticket.create([
    { number: 1, inboxId: desk, subject: 'Old', requester: { email: 'a@customer.test' }, status: 'closed', closedAt: ago(14) },
    { number: 2, inboxId: desk, subject: 'Recent', requester: { email: 'b@customer.test' }, status: 'closed', closedAt: ago(3) },
    { number: 3, inboxId: desk, subject: 'Open', requester: { email: 'c@customer.test' }, status: 'open' },
  ]);
  admin = await Client.signedIn(h.base, 'ada@example.test', 'ada password 123');
  manager = await Client.signedIn(h.base, 'max@example.test', 'max password 123');
  french = new Client(h.base, undefined, { 'accept-language': 'fr-FR,fr;q=0.9' });
  await french.login('ada@example.test', 'ada password 123');
});
afterAll(() => h.close());

describe('inbox retention settings (without JavaScript)', () => {
  it('is off by default, shows its tab, and previews unsaved values without saving them', async () => {
    const page = await admin.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="${path}" aria-current="page">Retention</a>`);
    expect(page.text).toContain('<input type="number" name="months" min="1" max="120" step="1" inputmode="numeric" value="">');
    expect(page.text).toContain('Retention is off: no ticket will be touched.');
    const preview = await admin.post(path, { _csrf: Client.csrf(page.text), months: '12', action: 'delete', op: 'preview' });
    expect(preview.status).toBe(200);
    expect(preview.text).toMatch(/1 ticket closed before [^<]+ will be deleted\./);
    expect(preview.text).toContain('For the values above, not saved yet.');
    expect((await h.models.Inbox.findById(desk).lean())!.retention?.months ?? null).toBeNull();
  });

  it('saves a policy, then shows what the next run will touch; deleting needs the box ticked', async () => {
    const page = await admin.get(path);
    const csrf = Client.csrf(page.text);
    const saved = await admin.post(path, { _csrf: csrf, months: '2', action: 'anonymise', op: 'save' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`${path}?saved=1`);
    expect((await h.models.Inbox.findById(desk).lean())!.retention).toEqual({ months: 2, action: 'anonymise' });
    const after = await admin.get(`${path}?saved=1`);
    expect(after.text).toMatch(/2 tickets closed before [^<]+ will be anonymised\./);
    expect(after.text).toContain('value="2"');

    const unticked = await admin.post(path, { _csrf: csrf, months: '12', action: 'delete', op: 'save' });
    expect(unticked.status).toBe(400);
    expect(unticked.text).toContain('tick the box to confirm that deleted tickets cannot be restored');
    expect((await h.models.Inbox.findById(desk).lean())!.retention).toEqual({ months: 2, action: 'anonymise' });
    const ticked = await admin.post(path, { _csrf: csrf, months: '12', action: 'delete', confirm_delete: 'on', op: 'save' });
    expect(ticked.status).toBe(303);
    expect((await h.models.Inbox.findById(desk).lean())!.retention).toEqual({ months: 12, action: 'delete' });

    const off = await admin.post(path, { _csrf: csrf, months: '', action: 'anonymise', op: 'save' });
    expect(off.status).toBe(303);
    expect((await h.models.Inbox.findById(desk).lean())!.retention).toEqual({ months: null, action: 'anonymise' });
  });

  it('refuses a bad number of months, naming the field, and keeps what was typed', async () => {
    const page = await admin.get(path);
    for (const months of ['0', '121', '2.5', 'soon']) {
      const res = await admin.post(path, { _csrf: Client.csrf(page.text), months, action: 'anonymise', op: 'save' });
      expect(res.status, months).toBe(400);
      expect(res.text).toContain('Keep closed tickets for (months):');
      expect(res.text).toContain('aria-invalid="true"');
    }
  });

  it('shows managers of the inbox the policy read-only and refuses their saves; agents and other inboxes get nothing', async () => {
    const page = await manager.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Only admins change the retention policy.');
    expect(page.text).not.toContain('name="op" value="save"');
    expect(page.text).toMatch(/name="months"[^>]* disabled/);
    expect((await manager.post(path, { _csrf: Client.csrf(page.text), months: '6', action: 'anonymise', op: 'save' })).status).toBe(403);
    expect((await manager.get(`/settings/inboxes/${other.toHexString()}/retention`)).status).toBe(404);
    const agent = await Client.signedIn(h.base, 'amy@example.test', 'amy password 123');
    expect((await agent.get(path)).status).toBe(403);
  });

  it('works without JavaScript and on a 390 px phone: a plain form, no inline script or style, the two columns stacking', async () => {
    const page = await admin.get(path);
    expect(page.text).toMatch(new RegExp(`<form class="card cfg-form" method="post" action="${path}">`));
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.text).not.toMatch(/\sstyle=/);
    expect(page.text).not.toMatch(/\son[a-z]+=/);
    const css = (await admin.get('/static/app.css')).text || (await admin.get('/app.css')).text;
    expect(css).toMatch(/@media \(max-width: 900px\) \{ \.cfg-split \{ grid-template-columns: 1fr; \} \}/);
  });

  it('is in French for a French browser, with French typography', async () => {
    await h.models.Inbox.updateOne({ _id: desk }, { $set: { retention: { months: 2, action: 'anonymise' } } });
    const page = await french.get(path);
    expect(page.text).toContain('<html lang="fr"');
    expect(page.text).toContain('>Conservation</a>');
    expect(page.text).toContain('Conservation des demandes closes');
    expect(page.text).toMatch(/2 demandes closes avant le [^<]+ seront anonymisées\./);
    const bad = await french.post(path, { _csrf: Client.csrf(page.text), months: '1000', action: 'anonymise', op: 'save' });
    expect(bad.status).toBe(400);
    // The form's shared "{label} : {message}" wording puts a no-break space before the colon.
    expect(bad.text).toMatch(/Conserver les demandes closes pendant \(mois\)[\u00a0\u202f]: doit être inférieur ou égal à 120/);
    expect(page.text).toContain(`Vide${NNBSP}: conservation illimitée.`);
  });

  it('shows an anonymised ticket with its trail entry, and lists it, without the customer', async () => {
    const inboxId = new Types.ObjectId();
    await h.models.Inbox.create({ ...inbox(inboxId, 'Archive'), retention: { months: 1, action: 'anonymise' } });
    const ticket = await h.models.Ticket.create({
      number: 50, inboxId, subject: 'Quux gadget', requester: { email: 'zed@customer.test', name: 'Zed Quux' }, participants: ['zed@customer.test'],
      status: 'closed', closedAt: new Date(Date.now() - 3 * MONTH_MS), messageCount: 2,
    });
    await h.models.Message.create([
      { ticketId: ticket._id, inboxId, direction: 'inbound', subject: 'Quux gadget', text: 'My quux gadget', from: { address: 'zed@customer.test', name: 'Zed Quux' }, to: [{ address: 'archive@example.test' }] },
      { ticketId: ticket._id, inboxId, direction: 'outbound', subject: 'Re: Quux gadget', text: 'Dear Zed', from: { address: 'archive@example.test' }, to: [{ address: 'zed@customer.test' }] },
    ]);
    const run = await applyRetention({
      retention: h.stores.retention, blobs: h.blobs, accessLog: h.stores.accessLog, reclaimSpace: async () => {}, scheduler: { schedule: async () => {} }, now: () => new Date(), logger: testLogger,
    });
    expect(run.inboxes.find((i) => i.inboxId === inboxId.toHexString())?.tickets).toBe(1);
    const page = await admin.get(`/tickets/${ticket._id.toHexString()}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Threadline anonymised the ticket: closed more than 1 month ago');
    expect(page.text).not.toMatch(/quux|zed@/i);
    const list = await admin.get(`/tickets?inbox=${inboxId.toHexString()}&status=closed`);
    expect(list.status).toBe(200);
    expect(list.text).toContain(`/tickets/${ticket._id.toHexString()}`);
    expect(list.text).not.toMatch(/quux|zed@/i);
    expect((await french.get(`/tickets/${ticket._id.toHexString()}`)).text).toContain(`Threadline a anonymisé la demande${NNBSP}: close depuis plus de 1 mois`);
  });
});
