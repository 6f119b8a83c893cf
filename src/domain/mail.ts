/** An email address with its display name, as taken from a header. */
export interface MailAddress {
  address: string;
  name: string | null;
}

/** A MIME part kept as a file: attachments, inline images, and the parts of a delivery report. */
export interface MailAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
  content: Buffer;
}

/**
 * One received message after parsing, independent of the parser library. Message ids are stored
 * without angle brackets; header names are lower-case and every value is kept (a header may repeat).
 */
export interface ParsedMail {
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  subject: string;
  from: MailAddress | null;
  sender: MailAddress | null;
  replyTo: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  date: Date | null;
  /** Return-Path: null when the header is absent, '' for the null sender `<>` (RFC 5321 §4.5.5). */
  returnPath: string | null;
  /** Top-level MIME type, lower-case, e.g. `multipart/report`. */
  contentType: string;
  /** The `report-type` parameter of a multipart/report, lower-case. */
  reportType: string | null;
  headers: Record<string, string[]>;
  text: string | null;
  html: string | null;
  attachments: MailAttachment[];
}
