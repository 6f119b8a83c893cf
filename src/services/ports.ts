import type { Readable } from 'node:stream';

/*
 * The ports use cases declare for the adapters they drive: background work (src/jobs implements it),
 * composing and sending mail (src/mail), hashing passwords (src/store). The composition root passes the adapters.
 */

/** How use cases schedule background work, without knowing about Agenda. */
export interface JobScheduler {
  /**
   * Schedules `name` at `at` (now by default). With `key`, at most one job of that name and key
   * exists: scheduling again moves it instead of adding a second one.
   */
  schedule(name: string, opts: { key?: string; at?: Date; data?: Record<string, unknown> }): Promise<void>;
  /** Removes the pending job of that name and key, if any. */
  cancel(name: string, key: string): Promise<void>;
  /** Removes every pending job of that name whose data has these values; a list matches any of its values. */
  cancelMatching(name: string, data: Record<string, string | readonly string[]>): Promise<void>;
  /**
   * Makes the pending jobs of `name` whose `data[field]` is one of `values` exactly `wanted`: jobs not
   * wanted are removed, and a wanted job is written only when it is missing or due at another time.
   */
  replaceMatching(name: string, field: string, values: readonly string[], wanted: ReadonlyArray<{ key: string; at: Date; data: Record<string, string> }>): Promise<void>;
  /** A job that repeats on a cron schedule in a time zone; one per name and key, replaced when called again. */
  scheduleRecurring(name: string, opts: { key: string; cron: string; timeZone: string }): Promise<void>;
}

/** How a delivery attempt ended, as the outbox needs to know it. */
export type DeliveryResult =
  | { ok: true; response: string }
  | { ok: false; permanent: boolean; code: string; message: string; smtpCode: number | null };

/** The SMTP account a mail is sent through. */
export interface SmtpAccount {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
  password: string | null;
  /** An OAuth2 access token (SASL XOAUTH2) for `user`, instead of the password. */
  accessToken?: string | null;
}

/** Sends a stored message; one transporter (and connection pool) per account. */
export interface MailSender {
  send(account: SmtpAccount, envelope: { from: string; to: string[] }, raw: Buffer): Promise<DeliveryResult>;
  close(): void;
}

/** Hashes and checks passwords (src/store/passwords.ts implements it with argon2id). */
export interface PasswordHasher {
  /** A hash of the password that embeds its own salt and parameters. */
  hash(password: string): Promise<string>;
  /** Whether the password matches the hash, in constant time; false for a malformed hash. */
  verify(hash: string, password: string): Promise<boolean>;
}

/** A mailbox with an optional display name (non-ASCII names are RFC 2047-encoded on the way out). */
export interface MailboxAddress {
  address: string;
  name?: string | null;
}

/** A mail to compose. Message ids are given without angle brackets. */
export interface OutgoingMail {
  from: MailboxAddress;
  to: MailboxAddress[];
  cc?: MailboxAddress[];
  replyTo?: MailboxAddress[];
  subject: string;
  text: string;
  html?: string | null;
  messageId: string;
  inReplyTo?: string | null;
  references?: string[];
  date: Date;
  /** Extra header fields, emitted as given (names keep their spelling). */
  headers?: Record<string, string>;
  /**
   * Files sent along (a side conversation's selected attachments, a reply's uploads). With `cid` the
   * file is an inline part the HTML refers to as `cid:<cid>` (an image in the agent's reply).
   */
  attachments?: Array<{ filename: string | null; contentType: string; content: Buffer; cid?: string }>;
}

/**
 * What the upload scan hook said about one file: clean; refused by the scanner (its first output
 * line says why); or not scanned (the command failed, answered otherwise, or ran out of time), which
 * refuses the file as well.
 */
export type ScanVerdict = { clean: true } | { clean: false; reason: 'refused' | 'unscannable'; detail: string };

/** Streams one file to the configured scan command (src/mail/scan-command.ts) and reports its verdict; never throws. */
export type ScanFile = (file: Readable) => Promise<ScanVerdict>;

/** Turns a mail into RFC 5322 bytes (src/mail/compose-message.ts); refuses what would not be a valid message. */
export type ComposeMail = (mail: OutgoingMail) => Promise<Buffer>;
