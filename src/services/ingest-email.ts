import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import type { ParsedMail } from '../domain/mail.js';
import type { Signer } from '../domain/message-ids.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Models } from '../store/models/index.js';
import { ingestSoon } from './ingest-batch.js';

/** Points in the pipeline a test may stop the process at, to prove a crash there loses and doubles nothing. */
export type IngestStep = 'parsed' | 'threaded' | 'ticket-written' | 'stored' | 'completed';

/** A customer mail committed to a ticket, as the follow-up work sees it. */
export interface StoredMail {
  ticketId: Types.ObjectId;
  messageDocId: Types.ObjectId;
  inboxId: Types.ObjectId;
  /** The mail opened this ticket. */
  created: boolean;
  mail: ParsedMail;
  autoSubmitted: string | null;
}

/**
 * Follow-up work (auto-reply, SLA timers) for the mails a batch committed, in arrival order, called
 * once per batch before they are marked complete; so it must be idempotent per message: a crash
 * before the marks hands the same mails in again.
 */
export type AfterStoreHook = (stored: readonly StoredMail[]) => Promise<void>;

export interface IngestDeps {
  models: Models;
  blobs: BlobStore;
  parse: (raw: Buffer) => Promise<ParsedMail>;
  /**
   * Cleans a mail's HTML for storing and showing; null when it is too complex to display safely (the
   * message is then stored, flagged, and shown as text).
   */
  sanitizeHtml: (html: string) => string | null | Promise<string | null>;
  sign: Signer;
  now: () => Date;
  logger: Logger;
  /** Every address Threadline receives at (lower-case); they are never counted as participants. */
  ownAddresses: () => Promise<ReadonlySet<string>>;
  /** `maxParticipantsPerMail` defaults to DEFAULT_MAX_PARTICIPANTS_PER_MAIL. */
  settings: { reopenClosedWithinSeconds: number; subjectMatchWithinSeconds: number; maxParticipantsPerMail?: number };
  afterStore?: AfterStoreHook;
  onStep?: (step: IngestStep) => void;
}

export interface IngestInput {
  inboxId: Types.ObjectId;
  raw: Buffer;
  source: { folder: string; uidValidity: string; uid: number } | null;
}

export type IngestResult =
  | { outcome: 'ticketed'; ticketId: Types.ObjectId; messageDocId: Types.ObjectId; created: boolean }
  | { outcome: 'duplicate'; ticketId: Types.ObjectId }
  | { outcome: 'bounce'; ticketId: Types.ObjectId }
  /** An out-of-office or vacation notice answering one of our mails, filed on that mail's ticket. */
  | { outcome: 'auto-reply'; ticketId: Types.ObjectId }
  | { outcome: 'quarantined'; reason: string };

/**
 * Turns one received mail into (part of) a ticket: parse → dedupe → classify → thread → store →
 * update the ticket and schedule follow-ups (see ingestParsed). Mails handed in together (the same
 * deps, the same tick; a poller hands in a fetched batch at once) are ingested as one batch, in the
 * order given, sharing its look-ups and writes. Safe to run again for the same mail at any point.
 */
export function ingestEmail(deps: IngestDeps, input: IngestInput): Promise<IngestResult> {
  return ingestSoon(deps, input);
}
