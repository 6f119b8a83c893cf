import { Types } from 'mongoose';
import type { Models } from '../../../../src/store/models/index.js';

/**
 * Two inboxes and the people who write to them, for the contact page's tests:
 * - Jane Roe: `jane@customer.test` (primary) with the alias `jane.roe@work.test`.
 * - Bob: `bob@customer.test`, no alias.
 * Inbox A: #101 (Jane asks; her mail with a file, our reply to her, a note, Bob's mail in it),
 *          #103 (Bob asks, Jane in copy of his mail).
 * Inbox B: #102 "Secret B" (Jane writes from her alias), #104 (Bob alone).
 */
export async function seedPeople(models: Models) {
  const account = { imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } };
  const inboxA = new Types.ObjectId();
  const inboxB = new Types.ObjectId();
  await models.Inbox.create([
    { _id: inboxA, name: 'Inbox A', address: 'a@desk.test', ...account },
    { _id: inboxB, name: 'Inbox B', address: 'b@desk.test', ...account },
  ]);
  const jane = await models.Contact.create({ email: 'jane@customer.test', name: 'Jane Roe' });
  const alias = await models.Contact.create({ email: 'jane.roe@work.test', name: 'J. Roe', primaryContactId: jane._id });
  const bob = await models.Contact.create({ email: 'bob@customer.test', name: 'Bob' });
  const at = (minutes: number) => new Date(Date.UTC(2026, 0, 10, 9, minutes));
  const [t101, t102, t103, t104] = await models.Ticket.create([
    { number: 101, inboxId: inboxA, subject: 'Printer A', requester: { contactId: jane._id, email: 'jane@customer.test', name: 'Jane Roe' }, participants: [], createdAt: at(1), lastActivityAt: at(5) },
    { number: 102, inboxId: inboxB, subject: 'Secret B', requester: { contactId: alias._id, email: 'jane.roe@work.test' }, participants: [], createdAt: at(2), lastActivityAt: at(6), status: 'closed', closedAt: at(7) },
    { number: 103, inboxId: inboxA, subject: 'Bob copies Jane', requester: { contactId: bob._id, email: 'bob@customer.test' }, participants: ['jane@customer.test'], createdAt: at(3), lastActivityAt: at(8) },
    { number: 104, inboxId: inboxB, subject: 'Bob alone in B', requester: { contactId: bob._id, email: 'bob@customer.test' }, participants: [], createdAt: at(4), lastActivityAt: at(9) },
  ]);
  const file = new Types.ObjectId();
  const msg = (ticket: { _id: Types.ObjectId; inboxId: Types.ObjectId }, minutes: number, extra: Record<string, unknown>) => ({
    ticketId: ticket._id, inboxId: ticket.inboxId, references: [], threadKeys: [], to: [], cc: [], replyTo: [], attachments: [], deliveredTo: [], createdAt: at(minutes), date: at(minutes), ...extra,
  });
  const [fromJane, toJane, note, bobInA, fromAlias, bobCopiesJane, bobInB] = await models.Message.create([
    msg(t101!, 10, { direction: 'inbound', subject: 'Printer A', from: { address: 'Jane@Customer.TEST', name: 'Jane Roe' }, to: [{ address: 'a@desk.test' }], text: 'my printer',
      attachments: [{ fileId: file, filename: 'invoice.pdf', contentType: 'application/pdf', size: 1234, sha256: 'x'.repeat(64), inline: false }] }),
    msg(t101!, 11, { direction: 'outbound', subject: 'Re: Printer A', from: { address: 'a@desk.test' }, to: [{ address: 'jane@customer.test' }], text: 'we look into it' }),
    msg(t101!, 12, { direction: 'note', text: 'internal' }),
    msg(t101!, 13, { direction: 'inbound', subject: 'Me too', from: { address: 'bob@customer.test' }, to: [{ address: 'a@desk.test' }], text: 'bob here' }),
    msg(t102!, 14, { direction: 'inbound', subject: 'Secret B', from: { address: 'jane.roe@work.test' }, to: [{ address: 'b@desk.test' }], text: 'secret' }),
    msg(t103!, 15, { direction: 'inbound', subject: 'Bob copies Jane', from: { address: 'bob@customer.test' }, to: [{ address: 'a@desk.test' }], cc: [{ address: 'JANE@customer.test' }], text: 'cc' }),
    msg(t104!, 16, { direction: 'inbound', subject: 'Bob alone in B', from: { address: 'bob@customer.test' }, to: [{ address: 'b@desk.test' }], text: 'alone' }),
  ]);
  const hex = (d: { _id: Types.ObjectId }) => d._id.toHexString();
  return {
    inboxA, inboxB, file,
    contacts: { jane: jane._id, alias: alias._id, bob: bob._id },
    tickets: { t101: hex(t101!), t102: hex(t102!), t103: hex(t103!), t104: hex(t104!) },
    messages: { fromJane: hex(fromJane!), toJane: hex(toJane!), note: hex(note!), bobInA: hex(bobInA!), fromAlias: hex(fromAlias!), bobCopiesJane: hex(bobCopiesJane!), bobInB: hex(bobInB!) },
  };
}
