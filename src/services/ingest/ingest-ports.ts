import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import type { TicketFollowUp } from '../../domain/ingest-plan.js';
import type { ParsedMail } from '../../domain/mail.js';
import type { Signer } from '../../domain/message-ids.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { ContactStore } from '../../store/contact-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { IngestWriteBuffer } from '../../store/ingest-writes.js';
import type { MessageStore } from '../../store/message-store.js';
import type { NotificationStore } from '../../store/notification-store.js';
import type { QuarantineStore } from '../../store/quarantine-store.js';
import type { SideConversationStore } from '../../store/side-conversation-store.js';
import type { SpamBlockStore } from '../../store/spam-block-store.js';
import type { TeamStore } from '../../store/team-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { UserStore } from '../../store/user-store.js';
import type { NotifyMentionsDeps } from '../notifications/notify-mentions.js';
import type { JobScheduler } from '../ports.js';

/** Points in the pipeline a test may stop the process at, to prove a crash there loses and doubles nothing. */
export type IngestStep = 'parsed' | 'threaded' | 'ticket-written' | 'stored' | 'completed';

/** The follow-up work of one ticket a batch stored customer mail on (SLA clocks, acknowledgement). */
export type IngestFollowUp = TicketFollowUp<Types.ObjectId>;

/**
 * Runs the follow-up work of a batch, once per ticket, before the batch marks its mails complete; so
 * it must be idempotent per ticket: a crash before the marks hands the same mails in again.
 */
export type FollowUpPort = (tickets: readonly IngestFollowUp[]) => Promise<void>;

/**
 * Starts the write buffer of one batch (src/store/ingest-writes.ts); `onStored` runs once for each
 * message the batch inserts.
 */
export type StartIngestWrites = (onStored: () => void) => IngestWriteBuffer;

export interface IngestDeps {
  tickets: Pick<
    TicketStore,
    'listThreadCandidates' | 'findThreadCandidate' | 'mergeRootOf' | 'listIdsByNumbers' | 'findIdByNumber' | 'findSubjectMatch' | 'findIngestState' | 'merge' | 'nextNumber' | 'openOnce' | 'findById' | 'addNoteOnce'
  >;
  messages: Pick<
    MessageStore,
    'listByDedupeKeys' | 'listOutboundByMessageIds' | 'listByThreadKeys' | 'listTicketIdsByThreadKeys' | 'findTicketIdByMessageId' | 'addDeliveryByDedupeKey' | 'validateNew' | 'findSideConversationOf'
  >;
  contacts: Pick<ContactStore, 'findOrCreate' | 'rememberLocale'>;
  inboxes: Pick<InboxStore, 'listIdsByAddresses' | 'findDefaultTeamId'>;
  quarantine: Pick<QuarantineStore, 'recordOnce'>;
  /** The inboxes' block lists (services/spam): a blocked sender's mail goes quietly, to Spam when it opens a ticket. */
  spamBlocks: Pick<SpamBlockStore, 'listMatches'>;
  /** Side conversations: a partner's answer is filed in its side conversation (file-side-reply.ts). */
  sideConversations: Pick<SideConversationStore, 'findById' | 'findByParticipant' | 'markAnswered'>;
  /** An agent's mailed answer to a notification: the notification, its recipient, and whom the answer mentions. */
  notifications: Pick<NotificationStore, 'findById'> & NotifyMentionsDeps['notifications'];
  users: Pick<UserStore, 'findById'> & NotifyMentionsDeps['users'];
  teams: Pick<TeamStore, 'listIdsOfMember'> & NotifyMentionsDeps['teams'];
  /** Schedules the mail of the people an agent's mailed answer mentions; without it they are not told. */
  scheduler?: JobScheduler;
  /** NOTIFY_COLLECT_MS, for those mentions' mail (default NOTIFICATION_COLLECT_MS). */
  notificationCollectMs?: number;
  startWrites: StartIngestWrites;
  blobs: BlobStore;
  parse: (raw: Buffer) => Promise<ParsedMail>;
  /**
   * Cleans a mail's HTML for storing and showing; null when it is too complex to display safely (the
   * message is then stored, flagged, and shown as text).
   */
  sanitizeHtml: (html: string) => string | null | Promise<string | null>;
  /** Names the rules `sanitizeHtml` applies, stored with the HTML so a rules change cleans it again when shown. */
  sanitizerRules: string;
  sign: Signer;
  now: () => Date;
  logger: Logger;
  /** Every address Threadline receives at (lower-case); they are never counted as participants. */
  ownAddresses: () => Promise<ReadonlySet<string>>;
  /** `maxParticipantsPerMail` defaults to DEFAULT_MAX_PARTICIPANTS_PER_MAIL. */
  settings: { reopenClosedWithinSeconds: number; subjectMatchWithinSeconds: number; maxParticipantsPerMail?: number };
  followUp?: FollowUpPort;
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
  /** An agent's answer to a notification, added to the ticket as an internal note. */
  | { outcome: 'note'; ticketId: Types.ObjectId; messageDocId: Types.ObjectId }
  | { outcome: 'quarantined'; reason: string };

/** One mail's result within a batch: a mail that fails, fails alone (or with the batch write it waited on). */
export type BatchOutcome = PromiseSettledResult<IngestResult>;
