import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../helpers/api.js';
import { Client, signInEveryRole, startPages } from './pages-harness.js';

// Mentions on the ticket page (issue 15): the note box offers the people who can see the ticket
// (a plain list without script, the data of the `@` suggestions with it), and a note posted from the
// page tells the people it mentions; an assignment from the page tells the new assignee.
let h: Awaited<ReturnType<typeof startPages>>;
let agent: Client;
let ticketId: string;
const inbox = new Types.ObjectId();
const otherInbox = new Types.ObjectId();
const team = new Types.ObjectId();
const ids: Record<string, Types.ObjectId> = {};

const decode = (s: string) => s.replace(/&#x3D;/g, '=').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
/** The people the note box offers: handle and label, in page order. */
const mentionable = (html: string) => {
  const list = /<ul id="mention-people"[^>]*>([\s\S]*?)<\/ul>/.exec(html);
  expect(list, 'the note form lists the people who may be mentioned').not.toBeNull();
  return [...list![1]!.matchAll(/<li data-handle="([^"]*)" data-label="([^"]*)">/g)].map((m) => `${decode(m[2]!)} @${decode(m[1]!)}`);
};

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create([
    { _id: inbox, name: 'Helpdesk', address: 'help@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } },
    { _id: otherInbox, name: 'Sales', address: 'sales@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } },
  ]);
  const signedIn = await signInEveryRole(h, inbox);
  agent = signedIn.agent;
  ids.gina = new Types.ObjectId(signedIn.agentId);
  ids.ada = (await h.models.User.findOne({ email: 'ada@example.test' }).lean())!._id;
  ids.lea = (await createUser(h.models, { email: 'lea@example.test', password: 'lea password 123', inboxIds: [], name: 'Léa' }))._id;
  ids.bob = (await createUser(h.models, { email: 'bob@example.test', password: 'bob password 123', inboxIds: [otherInbox], name: 'Bob' }))._id;
  ids.gone = (await createUser(h.models, { email: 'gone@example.test', password: 'gone password 123', inboxIds: [inbox], name: 'Gone', disabled: true }))._id;
  await h.models.Team.create({ _id: team, name: 'Réseau', level: 'L2', memberIds: [ids.lea], inboxIds: [inbox] });
  const ticket = await h.models.Ticket.create({
    number: 3, inboxId: inbox, teamId: team, subject: 'VPN drops', requester: { email: 'paul@customer.test', name: 'Paul' }, status: 'open', priority: 'normal', lastActivityAt: new Date(),
  });
  ticketId = ticket._id.toHexString();
});
afterAll(async () => h.close());

describe('mentions on the ticket page', () => {
  it('lists the people who can see the ticket with their handles, for the @ suggestions and for browsers without script', async () => {
    const page = await agent.get(`/tickets/${ticketId}`);
    expect(page.status).toBe(200);
    // Admins, the inbox's members and the team's members; not Bob (another inbox) nor a disabled user.
    expect(mentionable(page.text)).toEqual(['Ada @ada', 'Gina @gina', 'Léa @lea', 'Max @max']);
    expect(page.text).toContain('Write @ and a handle to notify someone who can see this ticket.');
    expect(page.text).toMatch(/<textarea name="text"[^>]*aria-describedby="mention-help"/);
    expect(page.text).toMatch(/<details class="mention-people">/);
    // The suggestions come from the page's one script, loaded from our origin (no inline code).
    const html = decode(page.text);
    expect(html).toMatch(/<script src="\/static\/ticket\.js\?v=[0-9a-f]{12}" defer><\/script>/);
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    const script = await agent.get(html.match(/\/static\/ticket\.js\?v=[0-9a-f]{12}/)![0]);
    expect(script.status).toBe(200);
    expect(script.text).toContain("getElementById('mention-people')");
  });

  it('a note posted from the page tells the people it mentions, once', async () => {
    const page = await agent.get(`/tickets/${ticketId}`);
    const csrf = Client.csrf(page.text);
    const posted = await agent.post(`/tickets/${ticketId}/note`, { _csrf: csrf, text: '@lea can you check the logs? @bob too.' });
    expect(posted.status).toBe(303);
    const stored = await h.models.Notification.find({ kind: 'mentioned' }).lean();
    expect(stored.map((n) => n.userId.toHexString())).toEqual([ids.lea!.toHexString()]);
    expect(stored[0]).toMatchObject({ ticketNumber: 3, data: { by: { name: 'Gina' }, excerpt: '@lea can you check the logs? @bob too.' } });
  });

  it('an assignment from the page tells the new assignee', async () => {
    const page = await agent.get(`/tickets/${ticketId}`);
    const posted = await agent.post(`/tickets/${ticketId}/update`, { _csrf: Client.csrf(page.text), assigneeId: ids.ada!.toHexString() });
    expect(posted.status).toBe(303);
    const stored = await h.models.Notification.find({ kind: 'assigned' }).lean();
    expect(stored.map((n) => n.userId.toHexString())).toEqual([ids.ada!.toHexString()]);
    expect(stored[0]!.data).toMatchObject({ by: { id: ids.gina!.toHexString(), name: 'Gina' } });
  });
});
