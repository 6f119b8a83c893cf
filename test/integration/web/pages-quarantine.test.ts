import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from './pages-harness.js';
import { startQuarantine } from './quarantine-harness.js';

let h: Awaited<ReturnType<typeof startQuarantine>>;
beforeAll(async () => {
  h = await startQuarantine('pages_quarantine');
});
afterAll(async () => {
  await h?.close();
});

describe('/settings/quarantine', () => {
  it('is linked from the settings index for admins only', async () => {
    expect((await h.pages.admin.get('/settings')).text).toContain('href="/settings/quarantine"');
    expect((await h.pages.manager.get('/settings')).text).not.toContain('href="/settings/quarantine"');
  });

  it('lists the quarantined mail with the reasons in plain words, newest first, and filters it', async () => {
    const page = await h.pages.admin.get('/settings/quarantine');
    expect(page.status).toBe(200);
    const rows = [...page.text.matchAll(/href="\/settings\/quarantine\/([0-9a-f]{24})"/g)].map((m) => m[1]);
    expect(rows).toEqual([h.ids.forged, h.ids.failing, h.ids.tooLarge]);
    for (const words of ['Too large', 'Failed again and again', 'Refused answer to a notification']) expect(page.text).toContain(words);
    expect(page.text).toContain('mallory@example.net');
    const billing = await h.pages.admin.get(`/settings/quarantine?inbox=${h.inboxes.billing.toHexString()}`);
    expect([...billing.text.matchAll(/href="\/settings\/quarantine\/([0-9a-f]{24})"/g)].map((m) => m[1])).toEqual([h.ids.failing]);
    const large = await h.pages.admin.get('/settings/quarantine?reason=MAIL_TOO_LARGE');
    expect([...large.text.matchAll(/href="\/settings\/quarantine\/([0-9a-f]{24})"/g)].map((m) => m[1])).toEqual([h.ids.tooLarge]);
  });

  it('answers 403 to managers and agents, for every page and action', async () => {
    for (const who of [h.pages.manager, h.pages.agent]) {
      expect((await who.get('/settings/quarantine')).status).toBe(403);
      expect((await who.get(`/settings/quarantine/${h.ids.failing}`)).status).toBe(403);
      expect((await who.get(`/settings/quarantine/${h.ids.failing}/raw`)).status).toBe(403);
      const csrf = Client.csrf((await who.get('/account')).text);
      expect((await who.post(`/settings/quarantine/${h.ids.failing}/ingest`, { _csrf: csrf })).status).toBe(403);
      expect((await who.post(`/settings/quarantine/${h.ids.failing}/delete`, { _csrf: csrf })).status).toBe(403);
    }
    expect(await h.models.Quarantine.countDocuments()).toBe(3);
  });

  it('shows a refused mail without "ingest anyway", saying why, and refuses it if posted anyway', async () => {
    const page = await h.pages.admin.get(`/settings/quarantine/${h.ids.forged}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('refused for security reasons');
    expect(page.text).not.toContain(`action="/settings/quarantine/${h.ids.forged}/ingest"`);
    expect(page.text).toContain(`action="/settings/quarantine/${h.ids.forged}/delete"`);
    const posted = await h.pages.admin.post(`/settings/quarantine/${h.ids.forged}/ingest`, { _csrf: Client.csrf(page.text) });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/settings/quarantine/${h.ids.forged}?error=refused`);
    expect(await h.models.Ticket.countDocuments()).toBe(0);
  });

  it('shows the facts of a mail and downloads it raw, never inline', async () => {
    const page = await h.pages.admin.get(`/settings/quarantine/${h.ids.tooLarge}`);
    expect(page.text).toContain('Invoice 2291 is wrong');
    expect(page.text).toContain('carla@example.org');
    expect(page.text).toContain('folder INBOX, message 41');
    expect(page.text).toContain('larger than the size limit');
    expect(page.text).toContain(`action="/settings/quarantine/${h.ids.tooLarge}/ingest"`);
    const raw = await h.pages.admin.get(`/settings/quarantine/${h.ids.tooLarge}/raw`);
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('message/rfc822');
    expect(raw.headers.get('content-disposition')).toMatch(/^attachment; filename="quarantine-[0-9a-f]{24}-Invoice-2291-is-wrong\.eml"/);
    expect(raw.text).toBe(h.question.toString('utf8'));
  });

  it('refuses actions without the form token', async () => {
    expect((await h.pages.admin.post(`/settings/quarantine/${h.ids.failing}/ingest`, { _csrf: 'forged' })).status).toBe(403);
    expect((await h.pages.admin.post(`/settings/quarantine/${h.ids.failing}/delete`, {})).status).toBe(403);
    expect(await h.models.Quarantine.countDocuments()).toBe(3);
  });

  it('ingests a mail anyway once, however often the button is pressed, and links its ticket', async () => {
    const page = await h.pages.admin.get(`/settings/quarantine/${h.ids.failing}`);
    const csrf = Client.csrf(page.text);
    const first = await h.pages.admin.post(`/settings/quarantine/${h.ids.failing}/ingest`, { _csrf: csrf });
    const second = await h.pages.admin.post(`/settings/quarantine/${h.ids.failing}/ingest`, { _csrf: csrf });
    const tickets = await h.models.Ticket.find({}).lean();
    expect(tickets).toHaveLength(1);
    const ticketId = tickets[0]!._id.toHexString();
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(`/settings/quarantine?done=ingested&ticket=${ticketId}`);
    expect(second.headers.get('location')).toBe('/settings/quarantine?done=gone');
    const list = await h.pages.admin.get(first.headers.get('location')!);
    expect(list.text).toContain('The mail was ingested.');
    expect(list.text).toContain(`href="/tickets/${ticketId}"`);
    expect(list.text).not.toContain(`href="/settings/quarantine/${h.ids.failing}"`);
    expect(await h.models.Message.countDocuments({ ticketId: tickets[0]!._id })).toBe(1);
  });

  it('deletes a mail with its raw file', async () => {
    const doc = (await h.models.Quarantine.findById(h.ids.tooLarge).lean())!;
    const page = await h.pages.admin.get(`/settings/quarantine/${h.ids.tooLarge}`);
    const res = await h.pages.admin.post(`/settings/quarantine/${h.ids.tooLarge}/delete`, { _csrf: Client.csrf(page.text) });
    expect(res.headers.get('location')).toBe('/settings/quarantine?done=deleted');
    expect(await h.models.Quarantine.exists({ _id: h.ids.tooLarge })).toBeNull();
    await expect(h.blobs.read(doc.raw!.fileId)).rejects.toThrow();
    expect((await h.pages.admin.get(`/settings/quarantine/${h.ids.tooLarge}`)).status).toBe(404);
  });

  it('speaks French to a French admin', async () => {
    const fr = new Client(h.base, undefined, { 'accept-language': 'fr-FR,fr;q=0.9' });
    await fr.login('ada@example.test', 'ada password 123');
    const page = await fr.get(`/settings/quarantine/${h.ids.forged}`);
    expect(page.text).toContain('Réponse à une notification refusée');
    expect(page.text).toContain('Intégrer quand même\u00a0» n’est pas proposé');
  });
});
