import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../helpers/api.js';
import { Client, signInEveryRole, startPages } from './pages-harness.js';

// The ticket page's Team select (issue 14), through the real pages: what it offers, what saving it
// does to the ticket, its trail and who sees it, and what it refuses.
let h: Awaited<ReturnType<typeof startPages>>;
let admin: Client;
let agent: Client;
let lea: Client;
let french: Client;
let ticketId: string;
const inbox = new Types.ObjectId();
const otherInbox = new Types.ObjectId();
const accueil = new Types.ObjectId();
const reseau = new Types.ObjectId();
const experts = new Types.ObjectId();
const ventes = new Types.ObjectId();
const billing = new Types.ObjectId();

const decode = (s: string) =>
  s.replace(/&#x3D;/g, '=').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&#x60;/g, '`').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The ticket page's update form (the "Ticket" card) as its fields. */
function updateFormOf(html: string): string {
  const form = /<form class="card" method="post" action="\/tickets\/[0-9a-f]{24}\/update">([\s\S]*?)<\/form>/.exec(html);
  expect(form, 'the page has the ticket form').not.toBeNull();
  return form![1]!;
}

/** The options of the form's select `name`: value, label and whether it is selected. */
function optionsOf(html: string, name: string) {
  const select = new RegExp(`<select name="${name}">([\\s\\S]*?)</select>`).exec(updateFormOf(html));
  expect(select, `the ticket form has a ${name} select`).not.toBeNull();
  return [...select![1]!.matchAll(/<option value="([^"]*)" ?(selected)?>([^<]*)<\/option>/g)].map((m) => ({ value: decode(m[1]!), label: decode(m[3]!), selected: Boolean(m[2]) }));
}

/** What a browser submits for the ticket form as the page shows it: hidden and text inputs, each select's chosen option. */
function submittedForm(html: string): Record<string, string> {
  const form = updateFormOf(html);
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="(hidden|text)" name="([^"]+)" value="([^"]*)"/g)) fields[m[2]!] = decode(m[3]!);
  for (const m of form.matchAll(/<select name="([^"]+)">/g)) {
    const options = optionsOf(html, m[1]!);
    fields[m[1]!] = (options.find((o) => o.selected) ?? options[0]!).value;
  }
  return fields;
}

/** The trail lines of a ticket page, as text. */
const trailOf = (html: string) => [...html.matchAll(/<p class="event"><time[^>]*>[^<]*<\/time> ([^<]*)/g)].map((m) => decode(m[1]!.trim()));
const teamEvents = async () => h.models.TicketEvent.countDocuments({ ticketId: new Types.ObjectId(ticketId), type: 'team_changed' });
const stored = async () => (await h.models.Ticket.findById(ticketId).lean())!;

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create([
    { _id: inbox, name: 'Helpdesk', address: 'help@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } },
    { _id: otherInbox, name: 'Sales', address: 'sales@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } },
  ]);
  ({ admin, agent } = await signInEveryRole(h, inbox));
  // Léa works no inbox: she sees a ticket only while it is her L2 team's.
  const lUser = await createUser(h.models, { email: 'lea@example.test', password: 'lea password 123', inboxIds: [], name: 'Léa' });
  await h.models.Team.create([
    { _id: accueil, name: 'Accueil', level: 'L1', inboxIds: [inbox] },
    { _id: reseau, name: 'Réseau', level: 'L2', memberIds: [lUser._id], inboxIds: [inbox] },
    { _id: experts, name: 'Experts', level: 'L3', inboxIds: [inbox, otherInbox] },
    { _id: ventes, name: 'Ventes', level: 'L1', inboxIds: [otherInbox] },
  ]);
  await h.models.Category.create({ _id: billing, name: 'Facturation', inboxId: inbox });
  const gina = (await h.models.User.findOne({ email: 'gina@example.test' }).lean())!;
  const ticket = await h.models.Ticket.create({
    number: 7, inboxId: inbox, teamId: accueil, categoryId: billing, assigneeId: gina._id, subject: 'VPN drops every hour', requester: { email: 'paul@customer.test', name: 'Paul' },
    status: 'open', priority: 'high', impact: 'high', urgency: 'medium', tags: ['vpn'], lastActivityAt: new Date(),
  });
  ticketId = ticket._id.toHexString();
  lea = new Client(h.base);
  await lea.login('lea@example.test', 'lea password 123');
  french = new Client(h.base, undefined, { 'accept-language': 'fr-FR,fr;q=0.9' });
  await french.login('ada@example.test', 'ada password 123');
});
afterAll(async () => h.close());

describe('the ticket page’s Team select', () => {
  it('lists the teams that work the ticket’s inbox with their level, the current one selected', async () => {
    const page = await agent.get(`/tickets/${ticketId}`);
    expect(page.status).toBe(200);
    expect(optionsOf(page.text, 'teamId')).toEqual([
      { value: '', label: 'No team', selected: false },
      { value: accueil.toHexString(), label: 'Accueil (L1)', selected: true },
      { value: reseau.toHexString(), label: 'Réseau (L2)', selected: false },
      { value: experts.toHexString(), label: 'Experts (L3)', selected: false },
    ]);
    // In French the levels read N1, N2…
    const fr = await french.get(`/tickets/${ticketId}`);
    expect(optionsOf(fr.text, 'teamId').map((o) => o.label)).toEqual(['Aucune équipe', 'Accueil (N1)', 'Réseau (N2)', 'Experts (N3)']);
  });

  it('saving the page unchanged, or with another field changed, records no team change', async () => {
    const page = await admin.get(`/tickets/${ticketId}`);
    const unchanged = await admin.post(`/tickets/${ticketId}/update`, submittedForm(page.text));
    expect(unchanged.status).toBe(303);
    expect(unchanged.headers.get('location')).toBe(`/tickets/${ticketId}#end`);
    expect(await h.models.TicketEvent.countDocuments({ ticketId: new Types.ObjectId(ticketId) })).toBe(0);

    const statusOnly = await admin.post(`/tickets/${ticketId}/update`, { ...submittedForm(page.text), status: 'pending' });
    expect(statusOnly.headers.get('location')).toBe(`/tickets/${ticketId}#end`);
    expect(await h.models.TicketEvent.find({ ticketId: new Types.ObjectId(ticketId) }).distinct('type')).toEqual(['status_changed']);
    expect(await stored()).toMatchObject({ status: 'pending', teamId: accueil, categoryId: billing });
  });

  it('choosing another team moves the ticket: the trail names it with its level in English and French, and its members see it', async () => {
    expect((await lea.get(`/tickets/${ticketId}`)).status).toBe(404);
    const page = await admin.get(`/tickets/${ticketId}`);
    const saved = await admin.post(`/tickets/${ticketId}/update`, { ...submittedForm(page.text), teamId: reseau.toHexString() });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/tickets/${ticketId}#end`);
    expect(await stored()).toMatchObject({ teamId: reseau, access: [`inbox:${inbox.toHexString()}`, `team:${reseau.toHexString()}`] });
    expect(await teamEvents()).toBe(1);

    const after = await admin.get(`/tickets/${ticketId}`);
    expect(trailOf(after.text)).toContain('Ticket moved to team Réseau (L2) by Ada');
    expect(optionsOf(after.text, 'teamId').find((o) => o.selected)?.label).toBe('Réseau (L2)');
    expect(trailOf((await french.get(`/tickets/${ticketId}`)).text)).toContain('Demande déplacée vers l’équipe Réseau (N2) par Ada');

    // Léa, in Réseau but in no inbox, now has it on its page and in her list; Gina (the inbox) still does.
    const seen = await lea.get(`/tickets/${ticketId}`);
    expect(seen.status).toBe(200);
    expect(seen.text).toContain('VPN drops every hour');
    expect((await lea.get('/tickets')).text).toContain(`href="/tickets/${ticketId}"`);
    expect((await agent.get(`/tickets/${ticketId}`)).status).toBe(200);
  });

  it('refuses a team that does not work the inbox, posted by hand, with a readable message on the page', async () => {
    const page = await admin.get(`/tickets/${ticketId}`);
    for (const teamId of [ventes.toHexString(), new Types.ObjectId().toHexString(), 'not-an-id']) {
      const refused = await admin.post(`/tickets/${ticketId}/update`, { ...submittedForm(page.text), teamId, status: 'open' });
      expect(refused.status, teamId).toBe(303);
      const back = refused.headers.get('location')!;
      expect(back).toMatch(new RegExp(`^/tickets/${ticketId}\\?error=[a-z-]+#forms$`));
      const shown = await admin.get(back.split('#')[0]!);
      expect(shown.status).toBe(200);
      const alert = /<p class="alert" role="alert">([^<]+)<\/p>/.exec(shown.text)?.[1];
      expect(alert && decode(alert), teamId).toBe("That team does not work this ticket's inbox. Choose one of the teams listed; nothing was changed.");
      // Nothing of the refused form was saved, not even its other fields.
      expect(await stored()).toMatchObject({ teamId: reseau, status: 'pending' });
    }
    const fr = await french.post(`/tickets/${ticketId}/update`, { ...submittedForm((await french.get(`/tickets/${ticketId}`)).text), teamId: ventes.toHexString() });
    const shown = await french.get(fr.headers.get('location')!.split('#')[0]!);
    expect(decode(/<p class="alert" role="alert">([^<]+)<\/p>/.exec(shown.text)![1]!)).toBe('Cette équipe ne traite pas les demandes de cette boîte de réception. Choisissez l’une des équipes proposées\u00a0; rien n’a été modifié.');
    expect(await teamEvents()).toBe(1);
  });

  it('keeps a team that stopped working the inbox when the page is saved, and still lists it', async () => {
    await h.models.Team.updateOne({ _id: reseau }, { $set: { inboxIds: [otherInbox] } });
    const page = await admin.get(`/tickets/${ticketId}`);
    expect(optionsOf(page.text, 'teamId').find((o) => o.selected)?.label).toBe('Réseau (L2)');
    const saved = await admin.post(`/tickets/${ticketId}/update`, { ...submittedForm(page.text), tags: 'vpn, network' });
    expect(saved.headers.get('location')).toBe(`/tickets/${ticketId}#end`);
    expect(await stored()).toMatchObject({ teamId: reseau, tags: ['network', 'vpn'] });
    expect(await teamEvents()).toBe(1);
    await h.models.Team.updateOne({ _id: reseau }, { $set: { inboxIds: [inbox] } });
  });

  it('"No team" clears it: the trail says so and the team’s members lose the ticket', async () => {
    const page = await admin.get(`/tickets/${ticketId}`);
    const saved = await admin.post(`/tickets/${ticketId}/update`, { ...submittedForm(page.text), teamId: '' });
    expect(saved.headers.get('location')).toBe(`/tickets/${ticketId}#end`);
    expect(await stored()).toMatchObject({ teamId: null, access: [`inbox:${inbox.toHexString()}`] });
    const after = await admin.get(`/tickets/${ticketId}`);
    expect(trailOf(after.text)).toContain('Ada removed the ticket from its team');
    expect(optionsOf(after.text, 'teamId')[0]).toEqual({ value: '', label: 'No team', selected: true });
    expect(trailOf((await french.get(`/tickets/${ticketId}`)).text)).toContain('Ada a retiré la demande de son équipe');
    expect((await lea.get(`/tickets/${ticketId}`)).status).toBe(404);
    expect((await lea.get('/tickets')).text).not.toContain(`href="/tickets/${ticketId}"`);
    // Saved again as shown: still no team, no new trail line.
    await admin.post(`/tickets/${ticketId}/update`, submittedForm(after.text));
    expect(await teamEvents()).toBe(2);
  });
});

describe('a ticket whose team was deleted', () => {
  it('is taken off the team by the deletion: no team on its page, no longer the inbox default, its members lose it', async () => {
    const support = new Types.ObjectId();
    await h.models.Team.create({ _id: support, name: 'Support N2', level: 'L2', inboxIds: [inbox], memberIds: [] });
    await h.models.Inbox.updateOne({ _id: inbox }, { $set: { defaultTeamId: support } });
    const ticket = await h.models.Ticket.create({ number: 9, inboxId: inbox, teamId: support, subject: 'VPN down', requester: { email: 'rita@customer.test' }, status: 'open', lastActivityAt: new Date() });
    const id = ticket._id.toHexString();
    const edit = await admin.get(`/settings/teams/${support.toHexString()}`);
    expect((await admin.post(`/settings/teams/${support.toHexString()}/delete`, { _csrf: Client.csrf(edit.text) })).headers.get('location')).toBe('/settings/teams?saved=deleted');

    expect(await h.models.Ticket.findById(ticket._id).lean()).toMatchObject({ teamId: null, access: [`inbox:${inbox.toHexString()}`] });
    expect((await h.models.Inbox.findById(inbox).lean())!.defaultTeamId ?? null).toBeNull();
    expect(optionsOf((await admin.get(`/tickets/${id}`)).text, 'teamId').filter((o) => o.selected)).toEqual([{ value: '', label: 'No team', selected: true }]);
  });

  it('shows a team deleted behind its back (a stale reference) as deleted and keeps it when the page is saved with another change', async () => {
    const securite = new Types.ObjectId();
    await h.models.Team.create({ _id: securite, name: 'Sécurité', level: 'L4', inboxIds: [inbox] });
    const ticket = await h.models.Ticket.create({ number: 8, inboxId: inbox, teamId: securite, subject: 'Phishing mail', requester: { email: 'rita@customer.test' }, status: 'open', lastActivityAt: new Date() });
    const id = ticket._id.toHexString();
    // As a restore of an older backup or a hand edit would leave it: the ticket still names the team.
    await h.models.Team.deleteOne({ _id: securite });

    const page = await admin.get(`/tickets/${id}`);
    const options = optionsOf(page.text, 'teamId');
    expect(options.filter((o) => o.selected)).toEqual([{ value: securite.toHexString(), label: 'A deleted team', selected: true }]);
    expect(optionsOf((await french.get(`/tickets/${id}`)).text, 'teamId').find((o) => o.selected)?.label).toBe('Une équipe supprimée');
    const saved = await admin.post(`/tickets/${id}/update`, { ...submittedForm(page.text), status: 'pending' });
    expect(saved.headers.get('location')).toBe(`/tickets/${id}#end`);
    expect(await h.models.TicketEvent.find({ ticketId: ticket._id }).distinct('type')).toEqual(['status_changed']);
    expect((await h.models.Ticket.findById(ticket._id).lean())!.teamId).toEqual(securite);
    // Choosing a team that exists still works from there.
    const moved = await admin.post(`/tickets/${id}/update`, { ...submittedForm(page.text), teamId: accueil.toHexString() });
    expect(moved.headers.get('location')).toBe(`/tickets/${id}#end`);
    expect(trailOf((await admin.get(`/tickets/${id}`)).text)).toContain('Ticket moved to team Accueil (L1) by Ada');
  });
});
