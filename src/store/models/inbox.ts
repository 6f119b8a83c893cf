import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { DEFAULT_AUTO_CLOSE_AFTER_DAYS, DEFAULT_PENDING_REMINDER_AFTER_DAYS, MAX_LIFECYCLE_DAYS } from '../../domain/lifecycle.js';
import { MAX_RETENTION_MONTHS, RETENTION_ACTIONS, type RetentionAction } from '../../domain/retention.js';
import { DEFAULT_ASK_EVERY_DAYS, DEFAULT_SURVEY_DELAY_HOURS, MAX_ASK_EVERY_DAYS, MAX_SURVEY_DELAY_HOURS, SURVEY_MODES, type SurveySettings } from '../../domain/satisfaction.js';
import { LOCALES, type Locale } from '../../i18n/locales.js';

/** A mail account's connection settings; the password is only ever stored sealed (see secret-box). */
export interface MailAccount {
  host: string;
  port: number;
  secure: boolean;
  user?: string | null;
  passwordSealed?: string | null;
}

/** An inbox's own auto-reply subject and text in one language (Handlebars); null: Threadline's default. */
export interface AutoReplyText {
  subject?: string | null;
  template?: string | null;
}

export interface InboxDoc {
  _id: Types.ObjectId;
  name: string;
  address: string;
  displayName?: string | null;
  imap: MailAccount & { folder: string };
  smtp: MailAccount;
  options: { markSeen: boolean; moveTo?: string | null; importSince?: Date | null };
  /** The language customers are written to in when their own is not known (`en`, `fr`). */
  defaultLocale: Locale;
  /** The team new tickets of this inbox start with (store/models/team.ts); null or absent: none. */
  defaultTeamId?: Types.ObjectId | null;
  /** Whether new tickets are acknowledged, and the inbox's own subject and text per language. */
  /** `suggestArticles`: list matching help center articles in the acknowledgement (on unless false). */
  autoReply: { enabled: boolean; suggestArticles?: boolean; overrides?: Partial<Record<Locale, AutoReplyText>> | null };
  /** How this inbox's emails look: signature, brand colour (#rgb/#rrggbb), logo URL. */
  branding: { signature?: string | null; primaryColor?: string | null; logoUrl?: string | null };
  /** SLA policy (src/domain/sla.ts SlaPolicy, validated on save); null means the default policy. */
  sla?: unknown;
  /** Days a solved ticket waits before it closes (domain/lifecycle.ts; 0: never). Absent on older inboxes: the default. */
  autoCloseAfterDays?: number;
  /** Days a pending ticket waits before its assignee is reminded (0: never). Absent on older inboxes: the default. */
  pendingReminderAfterDays?: number;
  /** Whether an agent's reply quotes the customer's previous mail below it. Absent on older inboxes: on. */
  quoteHistory?: boolean;
  /** The satisfaction survey (domain/satisfaction.ts surveySettingsOf fills in what older inboxes lack: off). */
  satisfaction?: SurveySettings | null;
  /** Retention (domain/retention.ts retentionPolicyOf): closed tickets older than `months` are anonymised or deleted; months null or absent: off. */
  retention?: { months: number | null; action: RetentionAction } | null;
  /**
   * Set while the inbox is disabled: it is not polled and sends nothing (queued mail is held until it is
   * enabled again); its tickets stay workable. Null or absent: enabled.
   * `reason`: `admin` (an admin disabled it) or `connection-test` (saved while its connection test failed);
   * `detail`: optional plain words shown with the reason.
   */
  disabled?: { at: Date; reason: string; detail?: string | null; byUserId?: Types.ObjectId | null } | null;
  /** Set when an admin deleted the inbox keeping its tickets read-only: hidden from lists, never polled, sends nothing. */
  deletedAt?: Date | null;
  /** Set while the inbox's tickets are being moved to another inbox before it is removed (resumable). */
  movingTo?: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

const account = {
  host: { type: String, required: true, trim: true },
  port: { type: Number, required: true, min: 1, max: 65535 },
  secure: { type: Boolean, default: true },
  user: { type: String, default: null },
  passwordSealed: { type: String, default: null },
};

const inboxSchema = new Schema<InboxDoc>(
  {
    name: { type: String, required: true, trim: true },
    address: { type: String, required: true, lowercase: true, trim: true },
    displayName: { type: String, default: null },
    imap: { ...account, folder: { type: String, default: 'INBOX' } },
    smtp: account,
    options: {
      markSeen: { type: Boolean, default: false },
      moveTo: { type: String, default: null },
      importSince: { type: Date, default: null },
    },
    defaultLocale: { type: String, enum: [...LOCALES], default: 'en' },
    defaultTeamId: { type: Schema.Types.ObjectId, ref: 'Team', default: null },
    autoReply: {
      enabled: { type: Boolean, default: true },
      suggestArticles: { type: Boolean, default: true },
      overrides: Object.fromEntries(
        LOCALES.map((locale) => [locale, { subject: { type: String, default: null }, template: { type: String, default: null } }]),
      ),
    },
    branding: {
      signature: { type: String, default: null },
      primaryColor: { type: String, default: null },
      logoUrl: { type: String, default: null },
    },
    sla: { type: Schema.Types.Mixed, default: null },
    autoCloseAfterDays: { type: Number, min: 0, max: MAX_LIFECYCLE_DAYS, default: DEFAULT_AUTO_CLOSE_AFTER_DAYS },
    pendingReminderAfterDays: { type: Number, min: 0, max: MAX_LIFECYCLE_DAYS, default: DEFAULT_PENDING_REMINDER_AFTER_DAYS },
    quoteHistory: { type: Boolean, default: true },
    satisfaction: {
      enabled: { type: Boolean, default: false },
      mode: { type: String, enum: SURVEY_MODES, default: 'solved' },
      delayHours: { type: Number, min: 0, max: MAX_SURVEY_DELAY_HOURS, default: DEFAULT_SURVEY_DELAY_HOURS },
      askEveryDays: { type: Number, min: 0, max: MAX_ASK_EVERY_DAYS, default: DEFAULT_ASK_EVERY_DAYS },
    },
    retention: {
      months: { type: Number, min: 1, max: MAX_RETENTION_MONTHS, default: null },
      action: { type: String, enum: RETENTION_ACTIONS, default: 'anonymise' },
    },
    disabled: {
      type: new Schema({ at: { type: Date, required: true }, reason: { type: String, required: true }, detail: { type: String, default: null }, byUserId: { type: Schema.Types.ObjectId, default: null } }, { _id: false }),
      default: null,
    },
    deletedAt: { type: Date, default: null },
    movingTo: { type: Schema.Types.ObjectId, ref: 'Inbox', default: null },
  },
  { timestamps: true, collection: 'inboxes' },
);
inboxSchema.index({ address: 1 }, { unique: true });

export type InboxModel = Model<InboxDoc>;

export function inboxModel(conn: Connection): InboxModel {
  return conn.model<InboxDoc>('Inbox', inboxSchema);
}
