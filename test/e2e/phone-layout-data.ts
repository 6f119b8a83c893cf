import type { Types } from 'mongoose';
import { SURVEY_LINK_TTL_MS, surveyToken } from '../../src/domain/satisfaction.js';
import { hashPassword } from '../../src/store/passwords.js';
import type { startRuntime } from '../helpers/runtime.js';

// The data of test/e2e/phone-layout.test.ts: the longest user data real mail brings (unbroken subjects,
// addresses, names, links and file names), the people who sign in, and what the newer pages show.
export const SUPPORT = 'support@phone.example.test';
export const BILLING = 'billing-and-accounts-receivable-for-every-subsidiary-worldwide@finance-department.phone.example.test';
export const REQUESTER = 'bartholomew.featherstonehaugh-cholmondeley.procurement@extraordinarily-long-subsidiary-name.customer.example.test';
export const CC = 'accounts.payable.shared.mailbox.for.all.regional.offices@extraordinarily-long-subsidiary-name.customer.example.test';
export const LONG_SUBJECT = 'Invoice_INV-2026-000123456789_ACME-International-Holdings-GmbH-und-Co-KG_final-final-v2-signed-scanned-copy.pdf';
export const LONG_URL = 'https://portal.customer.example.test/invoices/download?id=000123456789&token=3f9a0c1e5b7d2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9';
export const LONG_FILE = 'Scanned_Delivery_Note_and_Signed_Proof_of_Receipt_Warehouse-Lyon-Saint-Exupery_2026-12-06_batch-00042.pdf';
export const LONG_TAG = 'contract-renewal-before-end-of-fiscal-year-2027';
// The longest names a team and a category may have (80 characters), unbroken.
export const LONG_TEAM = 'Second-line-network-and-infrastructure-specialists-Lyon-Saint-Exupery-2026-night';
export const LONG_CATEGORY = 'Facturation-et-comptabilite-fournisseurs-pour-toutes-les-filiales-europeennes-12';
export const ADMIN = { email: 'adele@phone.example.test', name: 'Adèle-Marguerite-Wolfeschlegelsteinhausenbergerdorff', password: 'adele password 123' };
export const AGENT = { email: 'agnes@phone.example.test', name: 'Agnes Agent', password: 'agnes password 123' };
export const MANAGER = { email: 'maximilian@phone.example.test', name: 'Maximilian-Alexander-Featherstonehaugh-Cholmondeley', password: 'maximilian password 123' };
// The longest name a partner may have, unbroken, and a long address.
export const PARTNER = { name: 'Transports-et-logistique-internationale-Lyon-Saint-Exupery-entrepot-numero-42', address: 'claims-and-disputes-department@international-logistics-partner.example.test' };

/** A customer's first mail: unbroken subject and addresses, a long link, a PDF with a long name. */
export function richMail(): Buffer {
  return Buffer.from(
    [
      `From: "Bartholomew Featherstonehaugh-Cholmondeley" <${REQUESTER}>`,
      `To: ${SUPPORT}`,
      `Cc: ${CC}`,
      `Subject: ${LONG_SUBJECT}`,
      `Date: ${new Date(Date.now() - 3 * 3600_000).toUTCString()}`,
      'Message-ID: <rich-1@customer.example.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="mix"',
      '',
      '--mix',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello,',
      '',
      `the invoice at ${LONG_URL} still shows the wrong VAT rate.`,
      `Reference: ${'0123456789ABCDEF'.repeat(8)}`,
      '--mix',
      `Content-Type: application/pdf; name="${LONG_FILE}"`,
      `Content-Disposition: attachment; filename="${LONG_FILE}"`,
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 not really a pdf').toString('base64'),
      '--mix--',
      '',
    ].join('\r\n'),
  );
}

/** A follow-up in the same thread, as HTML that is wider than any phone (a 1400 px table). */
export function wideHtmlMail(): Buffer {
  return Buffer.from(
    [
      `From: "Bartholomew Featherstonehaugh-Cholmondeley" <${REQUESTER}>`,
      `To: ${SUPPORT}`,
      `Subject: Re: ${LONG_SUBJECT}`,
      `Date: ${new Date(Date.now() - 2 * 3600_000).toUTCString()}`,
      'Message-ID: <rich-2@customer.example.test>',
      'In-Reply-To: <rich-1@customer.example.test>',
      'References: <rich-1@customer.example.test>',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      '',
      `<table width="1400" border="1"><tr><td>Line</td><td>${'Amount '.repeat(40)}</td></tr></table><p>${LONG_URL}</p>`,
      '',
    ].join('\r\n'),
  );
}

/**
 * What the newer pages show, at its longest: a manager, a partner and a ticket with side conversations
 * with it (a failed mail, an answer with a long link), the admin's draft, satisfaction ratings (with a
 * long comment) and survey links, a partner ticket. Returns that ticket's id and two survey links
 * (paths): one not answered yet, one rated with a long comment.
 */
export async function addNewerPagesData(app: Awaited<ReturnType<typeof startRuntime>>, ids: { adminId: Types.ObjectId; agentId: Types.ObjectId; supportId: Types.ObjectId; teamId: Types.ObjectId }) {
  await app.models.Inbox.updateOne({ _id: ids.supportId }, { $set: { displayName: `Customer-Support-and-After-Sales-Service-${LONG_TEAM}` } });
  const manager = await app.models.User.create({ email: MANAGER.email, name: MANAGER.name, role: 'manager', inboxIds: [ids.supportId], passwordHash: await hashPassword(MANAGER.password) });
  await app.models.Team.updateOne({ _id: ids.teamId }, { $addToSet: { memberIds: manager._id } });
  const partner = await app.models.Partner.create({ name: PARTNER.name, address: PARTNER.address, note: `${LONG_SUBJECT} ${LONG_URL}` });
  const side = await app.models.Ticket.create({
    number: 9004, inboxId: ids.supportId, teamId: ids.teamId, subject: `${LONG_SUBJECT}-partner`, requester: { email: REQUESTER, name: null }, status: 'with_partner', assigneeId: ids.agentId, lastActivityAt: new Date(),
    satisfaction: { rating: 'bad', at: new Date() },
  });
  const at = new Date();
  await app.models.Message.create({ ticketId: side._id, inboxId: ids.supportId, direction: 'inbound', messageId: 'side-0@customer.example.test', from: { address: REQUESTER, name: null }, subject: side.subject, text: LONG_URL, date: at });
  const conversation = await app.models.SideConversation.create({
    ticketId: side._id, inboxId: ids.supportId, kind: 'partner', partnerId: partner._id, subject: side.subject, to: [{ address: PARTNER.address, name: PARTNER.name }], participants: [PARTNER.address], awaiting: true, createdBy: ids.agentId, lastMessageAt: at,
  });
  await app.models.SideConversation.create({
    ticketId: side._id, inboxId: ids.supportId, kind: 'forward', partnerId: null, subject: side.subject, to: [{ address: CC, name: null }], participants: [CC], awaiting: false, createdBy: ids.adminId, lastMessageAt: at,
  });
  await app.models.Message.create([
    { ticketId: side._id, inboxId: ids.supportId, sideConversationId: conversation._id, direction: 'outbound', messageId: 'side-1@phone.example.test', from: { address: SUPPORT, name: null }, to: [{ address: PARTNER.address, name: PARTNER.name }], subject: side.subject, text: `Please check ${LONG_URL}\n> ${LONG_SUBJECT}`, authorId: ids.agentId, date: at, delivery: { state: 'failed', error: 'DELIVERY_FAILED', at } },
    { ticketId: side._id, inboxId: ids.supportId, sideConversationId: conversation._id, direction: 'inbound', messageId: 'side-2@partner.example.test', from: { address: PARTNER.address, name: PARTNER.name }, subject: side.subject, text: `${LONG_URL} ${LONG_FILE}`, date: at },
  ]);
  await app.models.ReplyDraft.create({ userId: ids.adminId, ticketId: side._id, text: `Draft: ${LONG_URL}`, cc: [CC], updatedAt: at });
  // Rated and surveyed tickets: the team load's satisfaction tables, and the survey page (one open, one rated with a long comment).
  const stores = app.runtime.stores;
  const solvedAt = new Date(Date.now() - 3_600_000);
  const links: string[] = [];
  for (const [number, rating] of [[9005, 'good'], [9006, 'bad'], [9007, null], [9008, 'okay']] as const) {
    const rated = await app.models.Ticket.create({ number, inboxId: ids.supportId, teamId: ids.teamId, assigneeId: ids.agentId, subject: `${LONG_SUBJECT}-${number}`, requester: { email: REQUESTER, name: null }, status: 'solved', solvedAt, lastActivityAt: solvedAt });
    await stores.satisfaction.recordAsked({ ticketId: rated._id, inboxId: ids.supportId, teamId: ids.teamId, assigneeId: ids.agentId, email: REQUESTER, askedAt: solvedAt, solvedAt });
    if (rating) await stores.satisfaction.rate(rated._id, { rating, comment: `${LONG_URL} ${LONG_SUBJECT}`, at: new Date() }, solvedAt);
    links.push(`/satisfaction/${surveyToken(app.runtime.sign, { ticketId: rated._id.toHexString(), solvedAt: solvedAt.getTime(), expiresAt: new Date(Date.now() + SURVEY_LINK_TTL_MS) })}`);
  }
  return { sideTicketId: side._id.toHexString(), surveyLink: links[2]!, ratedSurveyLink: links[3]! };
}
