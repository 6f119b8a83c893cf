import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { createCannedReply } from '../../../../src/services/canned-replies/canned-replies.js';
import { renderCannedReply } from '../../../../src/services/canned-replies/render-canned-reply.js';
import { appErrorFrom } from '../../../helpers/app-error.js';
import { openTestDb } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
let inboxA: Types.ObjectId;
let inboxB: Types.ObjectId;
let agent: Actor;
let nameless: Actor;
let number = 0;

beforeAll(async () => {
  db = await openTestDb('render_canned');
  const inbox = (address: string) => db.models.Inbox.create({ name: address, address, imap: { host: 'imap.test', port: 993 }, smtp: { host: 'smtp.test', port: 465 } });
  inboxA = (await inbox('a@render.test'))._id;
  inboxB = (await inbox('b@render.test'))._id;
  const user = (email: string, name: string | null) => db.stores.users.create({ email, name, role: 'agent', passwordHash: 'x', inboxIds: [inboxA] });
  agent = { userId: (await user('dana@render.test', 'Dana Agent'))._id, role: 'agent', inboxIds: [inboxA] };
  nameless = { userId: (await user('nameless@render.test', null))._id, role: 'agent', inboxIds: [inboxA] };
});
afterAll(() => db.drop());

async function ticket(requester: { email: string; name?: string | null }, inboxId = inboxA, subject = 'Printer on fire') {
  number += 1;
  return (await db.models.Ticket.create({ number, inboxId, subject, requester })).id as string;
}
const reply = async (body: string, inboxId = inboxA) => (await createCannedReply(db.stores, admin, inboxId.toHexString(), { title: 'Reply', body })).id;

describe('renderCannedReply', () => {
  it('fills in the customer, the ticket and the agent who inserts it', async () => {
    const ticketId = await ticket({ email: 'ann@customer.test', name: 'Ann Customer' });
    const id = await reply('Hi {{customer.name}} ({{ customer.email }}),\nabout #{{ticket.number}} “{{ticket.subject}}”:\nfixed.\n{{agent.name}}');
    expect(await renderCannedReply(db.stores, agent, ticketId, id)).toEqual({
      id,
      title: 'Reply',
      text: `Hi Ann Customer (ann@customer.test),\nabout #${number} “Printer on fire”:\nfixed.\nDana Agent`,
    });
  });

  it('addresses a customer or an agent without a name by their email address', async () => {
    const ticketId = await ticket({ email: 'bob@customer.test', name: null });
    const id = await reply('Dear {{customer.name}}, {{agent.name}} here.');
    expect((await renderCannedReply(db.stores, nameless, ticketId, id)).text).toBe('Dear bob@customer.test, nameless@render.test here.');
  });

  it('inserts values as they are: plain text, no markup interpreted or escaped', async () => {
    const ticketId = await ticket({ email: 'eve@customer.test', name: '<b>Eve</b> & {{agent.name}}' }, inboxA, '<script>x</script>');
    const id = await reply('{{customer.name}} / {{ticket.subject}}');
    expect((await renderCannedReply(db.stores, agent, ticketId, id)).text).toBe('<b>Eve</b> & {{agent.name}} / <script>x</script>');
  });

  it('leaves a placeholder it does not know, stored before the rule refused them, as written', async () => {
    const ticketId = await ticket({ email: 'old@customer.test', name: 'Old' });
    const legacy = await db.models.CannedReply.create({ inboxId: inboxA, title: 'Legacy', body: 'Order {{order.id}} for {{customer.name}}' });
    expect((await renderCannedReply(db.stores, agent, ticketId, legacy.id as string)).text).toBe('Order {{order.id}} for Old');
  });

  it('answers NOT_FOUND for a ticket the agent cannot see, whatever the reply', async () => {
    const hidden = await ticket({ email: 'ann@customer.test' }, inboxB);
    const ofB = await reply('Hello', inboxB);
    expect((await appErrorFrom(renderCannedReply(db.stores, agent, hidden, ofB))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(renderCannedReply(db.stores, agent, new Types.ObjectId().toHexString(), ofB))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(renderCannedReply(db.stores, agent, 'not-an-id', ofB))).code).toBe('NOT_FOUND');
  });

  it('answers NOT_FOUND for a reply of another inbox, one that is gone, or a malformed id', async () => {
    const ticketId = await ticket({ email: 'ann@customer.test' });
    const ofB = await reply('From the other inbox', inboxB);
    expect((await appErrorFrom(renderCannedReply(db.stores, admin, ticketId, ofB))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(renderCannedReply(db.stores, agent, ticketId, new Types.ObjectId().toHexString()))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(renderCannedReply(db.stores, agent, ticketId, 'nope'))).code).toBe('NOT_FOUND');
  });
});
