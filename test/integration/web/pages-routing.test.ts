import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEmail } from '../../../src/services/ingest/ingest-email.js';
import { applyRouting } from '../../../src/services/routing/apply-routing.js';
import { testLogger } from '../../helpers/db.js';
import { quarantineScreenDeps } from '../../helpers/ingest.js';
import { rawMail } from '../../helpers/mail.js';
import { Client, signInEveryRole, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let admin: Client;
let manager: Client;
let agent: Client;
const inbox = new Types.ObjectId();
const billing = new Types.ObjectId();

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create([{ _id: inbox, name: 'Helpdesk', address: 'help@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } }]);
  await h.models.Team.create({ _id: billing, name: 'Billing', level: 'L2', inboxIds: [inbox], memberIds: [] });
  ({ admin, manager, agent } = await signInEveryRole(h, inbox));
});
afterAll(async () => h.close());

const ruleOf = (name: string) => h.models.RoutingRule.findOne({ name }).lean();

describe('/settings/routing', () => {
  it('is linked from the settings index for admins only; managers and agents get 403', async () => {
    expect((await admin.get('/settings')).text).toContain('href="/settings/routing"');
    expect((await manager.get('/settings')).text).not.toContain('href="/settings/routing"');
    expect((await manager.get('/settings/routing')).status).toBe(403);
    expect((await manager.get('/settings/routing/new')).status).toBe(403);
    expect((await agent.get('/settings/routing')).status).toBe(403);
  });

  it('adds a rule from the form, and shows a refused one again with what was posted and why', async () => {
    const form = await admin.get('/settings/routing/new');
    expect(form.status).toBe(200);
    const csrf = Client.csrf(form.text);
    const refused = await admin.post('/settings/routing', { _csrf: csrf, name: 'Too common', subjectWords: 'the, and', tags: 'x' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('value="the, and"');
    expect(refused.text).toContain('Subject has one of the words: has only very common words; add a more specific one');
    expect(await ruleOf('Too common')).toBeNull();

    const added = await admin.post('/settings/routing', { _csrf: csrf, name: 'Invoices', enabled: '1', subjectWords: 'facture, invoice', senders: 'example.com', senderNot: '1', hours: 'within', teamId: billing.toHexString(), tags: 'Billing, vip', assignee: 'auto' });
    expect(added.status).toBe(303);
    const stored = (await ruleOf('Invoices'))!;
    expect(added.headers.get('location')).toBe(`/settings/routing/${stored._id.toHexString()}?saved=created`);
    expect(stored).toMatchObject({
      enabled: true,
      onReplies: false,
      conditions: [{ kind: 'sender', values: ['example.com'], negate: true }, { kind: 'subject', words: ['facture', 'invoice'] }, { kind: 'businessHours' }],
      actions: [{ kind: 'team', teamId: billing.toHexString() }, { kind: 'tags', tags: ['billing', 'vip'] }, { kind: 'autoAssign', teamId: null }],
    });
    // The edit page shows it as saved.
    const edit = await admin.get(`/settings/routing/${stored._id.toHexString()}`);
    expect(edit.text).toContain('value="facture, invoice"');
    expect(edit.text).toMatch(/name="senderNot" value="1" checked/);
    expect(edit.text).toMatch(/value="within" selected/);
    expect(edit.text).toMatch(new RegExp(`value="${billing.toHexString()}" selected`));
  });

  it('lists the rules in order, moves them, switches them off and deletes them', async () => {
    let list = await admin.get('/settings/routing');
    const csrf = Client.csrf(list.text);
    await admin.post('/settings/routing', { _csrf: csrf, name: 'Second', bodyWords: 'refund', tags: 'refund' });
    list = await admin.get('/settings/routing');
    expect(list.text.indexOf('>Invoices<')).toBeLessThan(list.text.indexOf('>Second<'));
    const second = (await ruleOf('Second'))!._id.toHexString();
    const moved = await admin.post(`/settings/routing/${second}/move`, { _csrf: csrf, direction: 'up' });
    expect(moved.headers.get('location')).toBe('/settings/routing?saved=moved');
    list = await admin.get('/settings/routing?saved=moved');
    expect(list.text).toContain('Order saved.');
    expect(list.text.indexOf('>Second<')).toBeLessThan(list.text.indexOf('>Invoices<'));
    await admin.post(`/settings/routing/${second}/enabled`, { _csrf: csrf, enabled: '0' });
    expect((await ruleOf('Second'))!.enabled).toBe(false);
    expect((await admin.get('/settings/routing')).text).toContain('Turn on');
    const gone = await admin.post(`/settings/routing/${second}/delete`, { _csrf: csrf });
    expect(gone.headers.get('location')).toBe('/settings/routing?saved=deleted');
    expect(await ruleOf('Second')).toBeNull();
  });

  it('dry-runs a rule on the edit page: the matching recent tickets and what would change', async () => {
    const ingest = quarantineScreenDeps({ stores: h.stores, models: h.models } as never, h.blobs, () => new Date()).ingest;
    const matching = await ingestEmail(ingest, { inboxId: inbox, raw: rawMail({ from: 'Jo <jo@customer.test>', to: 'help@example.test', subject: 'Ma facture de mars' }), source: null });
    await ingestEmail(ingest, { inboxId: inbox, raw: rawMail({ from: 'Al <al@customer.test>', to: 'help@example.test', subject: 'Printer' }), source: null });
    const id = (await ruleOf('Invoices'))!._id.toHexString();
    const page = await admin.get(`/settings/routing/${id}?dryRun=1`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('1 ticket matched out of 2.');
    expect(page.text).toContain(`href="/tickets/${'ticketId' in matching ? matching.ticketId.toHexString() : ''}"`);
    expect(page.text).toContain('Rule “Invoices” moved the ticket to team Billing');
    expect(page.text).toContain('Rule “Invoices” added the tags billing, vip');
    expect(page.text).not.toContain('Printer');
    // Nothing changed.
    expect(await h.models.TicketEvent.countDocuments({ type: 'routed' })).toBe(0);

    // Once the rule runs for real, the ticket's timeline says what it did, naming the rule, in the reader's language.
    if (matching.outcome !== 'ticketed') throw new Error(matching.outcome);
    const deps = { ...h.stores, blobs: h.blobs, refreshSla: async () => {}, logger: testLogger, now: () => new Date() };
    expect(await applyRouting(deps, matching.messageDocId)).toMatchObject({ outcome: 'routed', matched: ['Invoices'] });
    const ticketPage = await admin.get(`/tickets/${matching.ticketId.toHexString()}`);
    expect(ticketPage.text).toContain('Rule “Invoices” moved the ticket to team Billing');
    expect(ticketPage.text).toContain('Rule “Invoices” added the tags billing, vip');
    const french = new Client(h.base, undefined, { 'accept-language': 'fr' });
    await french.login('ada@example.test', 'ada password 123');
    expect((await french.get(`/tickets/${matching.ticketId.toHexString()}`)).text).toContain('Règle «\u00a0Invoices\u00a0»\u00a0: demande déplacée vers l’équipe Billing');
  });
});
