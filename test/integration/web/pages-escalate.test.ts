import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

// The ticket page's Escalate card (radios per level, a required note, no script), and the read-only
// page the team it left gets afterwards.
let h: Awaited<ReturnType<typeof startPages>>;
let lea: Client;
let max: Client;
const inboxId = new Types.ObjectId();
const desk = new Types.ObjectId();
const network = new Types.ObjectId();
const servers = new Types.ObjectId();
const experts = new Types.ObjectId();
let number = 0;

const card = (html: string) => /<section class="card escalate-card"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
const radios = (html: string) => [...card(html).matchAll(/<input type="radio" name="target" value="([^"]+)" required> ([^<]+)<\/label>/g)].map((m) => [m[1], m[2]]);
const hasForm = (html: string, id: string, action: string) => html.includes(`action="/tickets/${id}/${action}"`);

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create({ _id: inboxId, name: 'Help', address: 'help@pages-escalate.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  const leaId = (await createUser(h.models, { email: 'lea@pages-escalate.test', password: 'lea password 123', name: 'Léa' }))._id;
  const maxId = (await createUser(h.models, { email: 'max@pages-escalate.test', password: 'max password 123', name: 'Max' }))._id;
  await h.models.Team.create([
    { _id: desk, name: 'Front desk', level: 'L1', memberIds: [leaId], inboxIds: [inboxId] },
    { _id: network, name: 'Network', level: 'L2', memberIds: [maxId], inboxIds: [inboxId] },
    { _id: servers, name: 'Servers', level: 'L2', inboxIds: [inboxId] },
    { _id: experts, name: 'Experts', level: 'L3', inboxIds: [inboxId] },
  ]);
  lea = await Client.signedIn(h.base, 'lea@pages-escalate.test', 'lea password 123');
  max = await Client.signedIn(h.base, 'max@pages-escalate.test', 'max password 123');
});
afterAll(async () => h.close());

async function deskTicket(): Promise<string> {
  number += 1;
  return (await h.models.Ticket.create({ number, inboxId, teamId: desk, subject: `Case ${number}`, status: 'open', requester: { email: 'c@customer.test' } }))._id.toHexString();
}

describe('the Escalate card', () => {
  it('lists the teams of each higher level as radios, with a required note, in a plain form', async () => {
    const id = await deskTicket();
    const page = await lea.get(`/tickets/${id}`);
    expect(page.status).toBe(200);
    expect(card(page.text)).toContain('Escalate to L2');
    expect(radios(page.text)).toEqual([[`L2:${network.toHexString()}`, 'Network'], [`L2:${servers.toHexString()}`, 'Servers'], [`L3:${experts.toHexString()}`, 'Experts']]);
    expect(card(page.text)).toMatch(/<legend>Teams at L2<\/legend>/);
    expect(card(page.text)).toMatch(/<textarea name="note" rows="3" required/);
    expect(card(page.text)).toContain(`<form method="post" action="/tickets/${id}/escalate">`);
  });

  it('sends back a missing note as an error on the page, changing nothing', async () => {
    const id = await deskTicket();
    const page = await lea.get(`/tickets/${id}`);
    const res = await lea.post(`/tickets/${id}/escalate`, { _csrf: Client.csrf(page.text), target: `L2:${network.toHexString()}`, note: ' ' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/tickets/${id}?error=escalate-note#forms`);
    expect((await lea.get(`/tickets/${id}?error=escalate-note`)).text).toContain('An escalation needs a note for the team taking over.');
    expect((await h.models.Ticket.findById(id).lean())!.teamId?.equals(desk)).toBe(true);
  });

  it('escalates, then shows the team it left the ticket read-only with a banner, and the new team the next level', async () => {
    const id = await deskTicket();
    const page = await lea.get(`/tickets/${id}`);
    const res = await lea.post(`/tickets/${id}/escalate`, { _csrf: Client.csrf(page.text), target: `L2:${network.toHexString()}`, note: 'Router down at the customer' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/tickets/${id}#end`);
    expect((await h.models.Ticket.findById(id).lean())!.teamId?.equals(network)).toBe(true);

    const after = await lea.get(`/tickets/${id}`);
    expect(after.status).toBe(200);
    expect(after.text).toMatch(/<p class="alert escalated-read-only" role="status">This ticket was escalated to Network \(L2\)\. Your team can still read it and add internal notes/);
    expect(after.text).toContain('Router down at the customer');
    expect(after.text).toContain('Léa escalated the ticket from team Front desk (L1) to team Network (L2)');
    expect(hasForm(after.text, id, 'note')).toBe(true);
    for (const action of ['reply', 'update', 'escalate', 'snooze', 'merge']) expect(hasForm(after.text, id, action), action).toBe(false);
    // A form posted anyway is refused.
    const posted = await lea.post(`/tickets/${id}/update`, { _csrf: Client.csrf(after.text), status: 'solved' });
    expect(posted.status).toBe(403);
    expect((await h.models.Ticket.findById(id).lean())!.status).toBe('open');

    const theirs = await max.get(`/tickets/${id}`);
    expect(theirs.text).not.toContain('escalated-read-only');
    expect(hasForm(theirs.text, id, 'update')).toBe(true);
    expect(card(theirs.text)).toContain('Escalate to L3');
    expect(card(theirs.text)).toContain(`<input type="hidden" name="target" value="L3:${experts.toHexString()}">`);
  });

  it('keeps long team names inside the card on a 390 px phone (the radios wrap, the fieldset may shrink)', async () => {
    const id = await deskTicket();
    const css = (await lea.get('/static/app.css')).text || (await lea.get('/app.css')).text;
    expect(css).toMatch(/\.escalate-card fieldset \{[^}]*min-width: 0/);
    expect(card((await lea.get(`/tickets/${id}`)).text)).toContain('class="cfg-check"');
  });
});
