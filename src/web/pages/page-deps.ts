import type { MailWorkerPool } from '../../mail/mail-worker-pool.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { Stores } from '../../store/stores.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { SecretBox } from '../../store/secret-box.js';
import type { LoginLimits } from '../../services/auth/login-throttle.js';
import type { SendReplyDeps } from '../../services/tickets/send-reply.js';
import type { UploadFileDeps } from '../../services/attachments/upload-file.js';
import type { UpdateTicketDeps } from '../../services/tickets/update-ticket.js';
import type { AddNoteDeps } from '../../services/tickets/add-note.js';
import type { MergeTicketDeps } from '../../services/tickets/merge-ticket.js';
import type { EscalateTicketDeps } from '../../services/tickets/escalate-ticket.js';
import type { SnoozeDeps } from '../../services/lifecycle/snooze-ticket.js';
import type { AssignmentFollowUps } from '../../services/teams/assignment-refill.js';
import type { SessionLifetimes } from '../../services/auth/web-sessions.js';
import type { ViewEngine } from './view-engine.js';
import type { RateLimit } from '../rate-limit.js';
import type { I18n } from '../../i18n/catalog.js';
import type { LocaleDefaults } from './page-i18n.js';
import type { JobScheduler, PasswordHasher } from '../../services/ports.js';
import type { RenderEmailFn } from '../../services/outbound/render-types.js';
import type { ConnectionChecks } from '../../services/inboxes/test-inbox-connection.js';
import type { QuarantineScreenDeps } from '../../services/quarantine/quarantine-deps.js';
import type { PasswordLinkMailDeps } from '../../services/users/mail-password-link.js';

/** What the settings pages need besides the other pages' dependencies. */
export interface SettingsDeps {
  /** Logs in to IMAP and SMTP accounts (src/mail/connection-check.ts). */
  connectionChecks: ConnectionChecks;
  /** Checks an auto-reply subject/text override; returns what is wrong with it, or null. */
  validateTemplate: (source: string) => string | null;
  /** Renders the auto-reply preview. */
  render: RenderEmailFn;
  /** Moves a manager's recurring digest job when their schedule changes. */
  scheduler: JobScheduler;
  /** The quarantine's ingest pipeline; `/settings/quarantine` is served only when given. */
  quarantine?: QuarantineScreenDeps;
}

/** What the browser pages need from the composition root. */
export interface PageDeps {
  /** One store per collection (use cases take the ones they use). */
  stores: Stores;
  /** Hashes and checks passwords (signing in, adding users, changing and setting passwords). */
  passwords: PasswordHasher;
  now: () => Date;
  /** Threadline's public URL: https here makes every cookie Secure. */
  publicUrl: string | null;
  /** Replying, noting and changing tickets (the same use cases as the JSON API). */
  actions: SendReplyDeps & UpdateTicketDeps & Pick<MergeTicketDeps, 'teams'> & Pick<AddNoteDeps, 'users' | 'teams'> & Pick<SnoozeDeps, 'inboxes'> & Pick<EscalateTicketDeps, 'teams'> & { tickets: TicketStore } & Partial<AssignmentFollowUps> & Pick<UploadFileDeps, 'scanUpload' | 'attachmentLimits'>;
  /** Stored attachments; without it the pages list attachments but offer no download. */
  blobs?: BlobStore;
  sessionLifetimes?: SessionLifetimes;
  loginLimits?: LoginLimits;
  /** Opens stored mail passwords (the inbox settings' connection test). */
  secrets: SecretBox;
  /** The settings pages under /settings (inboxes, SLA, auto-reply, digest); not served without it. */
  settings?: SettingsDeps;
  /** The catalogs (loaded once per process); the pages load their own when not given. */
  i18n?: I18n;
  /** DEFAULT_LOCALE and DEFAULT_TIME_ZONE; English and the browser's zone when not given. */
  localeDefaults?: LocaleDefaults;
  /** Cleans mail HTML stored under older sanitizer rules off the main thread; without it, in this thread. */
  mailWork?: Pick<MailWorkerPool, 'cleanStored'>;
  /** Mails invite and password-reset links to their users; without it the links are only shown. */
  invitations?: PasswordLinkMailDeps;
  /** The help center's per-address limits of searches and votes (src/web/rate-limit.ts defaults when not given). */
  helpLimits?: { search?: RateLimit; vote?: RateLimit };
  /** The satisfaction page's per-address limit of ratings (satisfaction-pages.ts SATISFACTION_LIMIT when not given). */
  satisfactionLimit?: RateLimit;
}

/** PageDeps plus the compiled templates, as the route modules receive them. */
export type PageContext = PageDeps & { views: ViewEngine };
