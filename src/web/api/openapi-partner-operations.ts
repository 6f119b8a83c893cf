import type { z } from 'zod';
import { createPartnerSchema, updatePartnerSchema } from '../../services/partners/partners.js';
import { sideReplySchema } from '../../services/side-conversations/reply-side-conversation.js';
import { startSideConversationSchema } from '../../services/side-conversations/start-side-conversation.js';
import { SIDE_CONVERSATION_KINDS } from '../../domain/side-conversations.js';
import { arrayOf, boolean, dateTime, enumOf, integer, listOf, nullable, object, objectId, ref, string, type JsonSchema } from './openapi-json-schema.js';
import type { Operation } from './openapi-operation.js';

/** The partners' and side conversations' request bodies, generated from the schemas the use cases parse with. */
export const PARTNER_REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  PartnerCreate: createPartnerSchema,
  PartnerUpdate: updatePartnerSchema,
  SideConversationCreate: startSideConversationSchema,
  SideConversationReply: sideReplySchema,
};

/** The partners' and side conversations' answers. */
export const PARTNER_SCHEMAS: Record<string, JsonSchema> = {
  Partner: object({ id: objectId, name: string, address: string, note: nullable(string), createdAt: dateTime, updatedAt: dateTime }),
  SideMessage: object({
    id: objectId,
    direction: { ...enumOf(['inbound', 'outbound']), description: '`outbound`: an agent’s mail; `inbound`: the partner’s answer.' },
    from: nullable(string),
    to: arrayOf(string),
    subject: nullable(string),
    text: string,
    at: dateTime,
    authorId: nullable(objectId),
    delivery: nullable(enumOf(['pending', 'sent', 'failed'])),
    attachments: arrayOf(object({ fileId: objectId, filename: nullable(string), contentType: string, size: integer })),
  }),
  SideConversation: object({
    id: objectId,
    ticketId: objectId,
    kind: { ...enumOf(SIDE_CONVERSATION_KINDS), description: '`partner`: sent to a partner; `forward`: forwarded to an address the agent typed.' },
    partnerId: nullable(objectId),
    partnerName: nullable(string),
    subject: string,
    to: arrayOf(string),
    participants: arrayOf(string),
    awaiting: { ...boolean, description: 'Our last mail in it waits for an answer.' },
    createdAt: dateTime,
    lastMessageAt: dateTime,
    messages: arrayOf(ref('SideMessage')),
  }),
};

/** `/partners` (admins change them, everyone lists them) and the side conversations of a ticket. */
export function partnerOperations(): Record<string, Record<string, Operation>> {
  const admins = 'Admins only (403 for anyone else).';
  return {
    '/partners': {
      get: { id: 'listPartners', tag: 'Partners', summary: 'The outside partners agents may write to, by name', ok: [200, listOf('Partner')] },
      post: { id: 'createPartner', tag: 'Partners', summary: 'Add a partner (admins)', description: `${admins} A name, an address no other partner has (409) and an optional note.`, body: 'PartnerCreate', ok: [201, ref('Partner')], errors: [400, 403, 409] },
    },
    '/partners/{id}': {
      get: { id: 'getPartner', tag: 'Partners', summary: 'One partner', ok: [200, ref('Partner')], errors: [404] },
      patch: { id: 'updatePartner', tag: 'Partners', summary: 'Change a partner (admins)', description: `${admins} Side conversations already opened keep the address they were sent to.`, body: 'PartnerUpdate', ok: [200, ref('Partner')], errors: [400, 403, 404, 409] },
      delete: { id: 'deletePartner', tag: 'Partners', summary: 'Remove a partner (admins)', description: `${admins} Side conversations with it stay on their tickets.`, ok: [204], errors: [403, 404] },
    },
    '/tickets/{id}/side-conversations': {
      get: {
        id: 'listSideConversations', tag: 'Side conversations', summary: 'The ticket’s side conversations with partners, with their mail (agents only)',
        description: 'Oldest first, with those of the tickets merged into it. Never part of the customer’s conversation: not in `GET /tickets/{id}` messages, reply recipients, quoted history or auto-replies.',
        ok: [200, listOf('SideConversation')], errors: [404],
      },
      post: {
        id: 'startSideConversation', tag: 'Side conversations', summary: 'Send to a partner, or forward: open a side conversation',
        description: 'Exactly one of `partnerId` (Send to partner) and `address` (Forward). The agent’s `text` comes first, then each of `messageIds` (mail of the ticket) quoted as text; `attachmentIds` (`fileId`s of the ticket’s attachments, at most 20 MB together) are attached. With `forward: true` the mail is a forward as mail clients write it: `text` may be empty, each message of `messageIds` (without any: every message customers and agents wrote in the conversation, oldest first) follows under a “Forwarded message” block with its From, Date, Subject, To and Cc and its body as it was, in the caller’s language; without `attachmentIds` the forwarded messages’ attachments go along; the subject is `Fwd: ` and the message’s (or ticket’s) subject unless `subject` is given. A message id of another ticket is a 400 naming `messageIds`; one of our inboxes’ addresses, a 400 naming `address` (or `partnerId`). It is sent from the inbox’s address through the outbox with a Message-ID of its own; answers to it (by In-Reply-To/References, or the ticket’s `[#n]` token from someone taking part) are filed in the side conversation and shown to agents only. The ticket waits in `with_partner` (unless solved, closed or spam) until an answer comes, then is `open` again; whether its SLA clocks pause meanwhile is the inbox’s `pauseWithPartner` SLA setting. `requestKey` makes a retried request open one side conversation and send one mail. 409 for a ticket in Spam or of a deleted inbox.',
        body: 'SideConversationCreate', ok: [201, ref('SideConversation')], errors: [400, 403, 404, 409],
      },
    },
    '/tickets/{id}/side-conversations/{sideId}/replies': {
      post: {
        id: 'replySideConversation', tag: 'Side conversations', summary: 'Write again in a side conversation',
        description: 'To its recipients, answering its latest mail (its own Message-IDs only). The ticket waits on the partner again. `requestKey`: one mail per key.',
        body: 'SideConversationReply', ok: [201, ref('SideConversation')], errors: [400, 403, 404, 409],
      },
    },
  };
}
