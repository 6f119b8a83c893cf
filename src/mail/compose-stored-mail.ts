import MailComposer from 'nodemailer/lib/mail-composer';
import type { StoredMail } from '../services/personal-data/export-archive.js';

// eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
const CONTROL = /[\x00-\x1f\x7f]+/g;
/** A header value on one line: line breaks and other control characters would end the field or garble it. */
const oneLine = (s: string) => s.replace(CONTROL, ' ');
const mailbox = (a: { address: string; name?: string | null }) => ({ address: oneLine(a.address), name: oneLine(a.name ?? '') });

/**
 * Rebuilds a stored message as RFC 5322 bytes (the export's `.eml` of a message whose original is not
 * kept: notes, our own mail before raw copies, older mail). Unlike `composeMessage` it refuses nothing:
 * what was stored is written as well as it can be (a message without recipients, an odd address).
 * Blind copies are left out, as in any copy of a sent mail.
 */
export async function composeStoredMail(mail: StoredMail): Promise<Buffer> {
  const composer = new MailComposer({
    ...(mail.from ? { from: mailbox(mail.from) } : {}),
    to: mail.to.map(mailbox),
    ...(mail.cc.length ? { cc: mail.cc.map(mailbox) } : {}),
    ...(mail.replyTo.length ? { replyTo: mail.replyTo.map(mailbox) } : {}),
    subject: oneLine(mail.subject ?? ''),
    text: mail.text ?? '',
    ...(mail.html ? { html: mail.html } : {}),
    ...(mail.messageId ? { messageId: `<${oneLine(mail.messageId).replace(/^<|>$/g, '')}>` } : {}),
    ...(mail.inReplyTo ? { inReplyTo: `<${oneLine(mail.inReplyTo).replace(/^<|>$/g, '')}>` } : {}),
    ...(mail.references.length ? { references: mail.references.map((r) => `<${oneLine(r).replace(/^<|>$/g, '')}>`).join(' ') } : {}),
    date: mail.date,
    attachments: mail.attachments.map((a) => ({
      ...(a.filename ? { filename: oneLine(a.filename) } : {}),
      contentType: a.contentType,
      content: a.content,
      ...(a.contentId ? { cid: a.contentId, contentDisposition: 'inline' as const } : {}),
    })),
    newline: 'win',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}
