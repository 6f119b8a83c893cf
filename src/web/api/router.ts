import express, { Router } from 'express';
import type { Logger } from 'pino';
import type { BlobStore } from '../../store/blob-store.js';
import type { Stores } from '../../store/stores.js';
import type { SecretBox } from '../../store/secret-box.js';
import type { ConnectionChecks } from '../../services/inboxes/test-inbox-connection.js';
import type { I18n } from '../../i18n/catalog.js';
import type { LoginLimits } from '../../services/auth/login-throttle.js';
import type { PasswordHasher } from '../../services/ports.js';
import type { RateLimit } from '../rate-limit.js';
import { accessLogRoutes } from './access-log-routes.js';
import { attachmentRoutes } from './attachment-routes.js';
import { automationRoutes, type AutomationDeps } from './automation-routes.js';
import { ticketActionRoutes } from './ticket-action-routes.js';
import { ticketStartRoutes } from './ticket-start-routes.js';
import { uploadRoutes } from './upload-routes.js';
import { ticketBulkRoutes } from './ticket-bulk-routes.js';
import { createI18n } from '../../i18n/catalog.js';
import { authRoutes } from './auth-routes.js';
import { authenticate, principalOf } from './authenticate.js';
import { cannedReplyRoutes } from './canned-reply-routes.js';
import { viewRoutes } from './view-routes.js';
import { satisfactionRoutes } from './satisfaction-routes.js';
import { reportRoutes } from './report-routes.js';
import { categoryRoutes } from './category-routes.js';
import { contactRoutes } from './contact-routes.js';
import { erasureRoutes } from './erasure-routes.js';
import { helpRoutes } from './help-routes.js';
import { kbRoutes } from './kb-routes.js';
import { inboxRoutes } from './inbox-routes.js';
import { inboxSettingsRoutes } from './inbox-settings-routes.js';
import { inboxRetentionRoutes } from './inbox-retention-routes.js';
import { inboxOAuthRoutes } from './inbox-oauth-routes.js';
import { createOAuthEndpoint, type OAuthEndpoint } from '../../services/oauth/oauth-endpoint.js';
import { notificationRoutes } from './notification-routes.js';
import { quarantineRoutes } from './quarantine-routes.js';
import { partnerRoutes } from './partner-routes.js';
import { personalDataExportRoutes } from './personal-data-export-routes.js';
import { sideConversationRoutes } from './side-conversation-routes.js';
import { routingRuleRoutes } from './routing-rule-routes.js';
import type { QuarantineScreenDeps } from '../../services/quarantine/quarantine-deps.js';
import type { PasswordLinkMailDeps } from '../../services/users/mail-password-link.js';
import { teamRoutes } from './team-routes.js';
import { serveOpenApi } from './openapi.js';
import { ticketMergeRoutes } from './ticket-merge-routes.js';
import { spamRoutes } from './spam-routes.js';
import { ticketRoutes } from './ticket-routes.js';
import { ticketReadRoutes } from './ticket-read-routes.js';
import { draftRoutes } from './draft-routes.js';
import { userRoutes } from './user-routes.js';

/** What the JSON API needs from the composition root. */
export interface ApiDeps {
  /** One store per collection (use cases take the ones they use). */
  stores: Stores;
  /** Hashes and checks passwords (signing in for a token, adding users). */
  passwords: PasswordHasher;
  secrets: SecretBox;
  blobs: BlobStore;
  now: () => Date;
  /** Lifetime of newly issued API tokens; 90 days when unset. */
  tokenTtlDays?: number;
  /** The login throttle's limits for `POST /auth/token`; give the pages the same ones, as they share the budget. */
  loginLimits?: LoginLimits;
  /** SLA policies and digests; their routes exist only when this is given. */
  automation?: AutomationDeps;
  /** Checks an inbox's auto-reply subject/text override before it is saved. */
  validateTemplate?: (source: string) => string | null;
  /** Logs in to an inbox's IMAP and SMTP accounts; `POST /inboxes/:id/test-connection` exists only when given. */
  connectionChecks?: ConnectionChecks;
  /** PUBLIC_URL: where an OAuth2 provider sends the admin back (`POST /inboxes/{id}/oauth/connect` needs it). */
  publicUrl?: string | null;
  /** The OAuth2 providers' endpoints (tests pass their own); the real ones when not given. */
  oauth?: OAuthEndpoint;
  /** The quarantine's ingest pipeline; the `/quarantine` routes exist only when given. */
  quarantine?: QuarantineScreenDeps;
  /** Mails invite and password-reset links to their users (`invitationEmailed`); without it nothing is mailed. */
  invitations?: PasswordLinkMailDeps;
  /** The public help search's per-address limit (src/web/rate-limit.ts default when not given). */
  helpSearchLimit?: RateLimit;
}

/** The JSON API v1, meant to be mounted at `/api/v1`. Everything but `POST /auth/token` and `GET /openapi.json` needs a bearer token. */
export function createApiRouter(deps: ApiDeps & { logger: Logger; i18n?: I18n }): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.set({
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; sandbox",
    });
    next();
  });
  router.use(express.json({ limit: '1mb' }));

  const requireAuth = authenticate({ ...deps.stores, now: deps.now });
  router.get('/openapi.json', serveOpenApi);
  // The help center's search: public, rate-limited per address.
  router.use(helpRoutes(deps));
  router.use(authRoutes({ ...deps, ...deps.stores }, requireAuth));
  router.use(requireAuth);
  router.get('/me', (_req, res) => {
    res.json(principalOf(res).user);
  });
  if (deps.automation) {
    router.use(automationRoutes(deps.automation));
    // Before `/tickets/:id`: `bulk` is not a ticket id. Catalogs for its per-ticket errors are loaded here only when not given.
    let catalogs: I18n | undefined;
    router.use(ticketBulkRoutes({ ...deps.automation, ...deps.stores }, () => deps.i18n ?? (catalogs ??= createI18n())));
    // Replies and new conversations may be multipart with files (`attachments`), stored as the caller's uploads first.
    const uploadDeps = { ...deps.automation, uploads: deps.stores.uploads, replyDrafts: deps.stores.replyDrafts, blobs: deps.blobs, now: deps.now };
    router.use(uploadRoutes(uploadDeps));
    router.use('/tickets', ticketActionRoutes({ ...uploadDeps, replyDrafts: deps.stores.replyDrafts }));
    router.use('/tickets', ticketStartRoutes({ ...deps.automation, ...deps.stores, blobs: deps.blobs }));
    router.use(ticketMergeRoutes(deps.automation));
    router.use('/tickets', sideConversationRoutes({ ...deps.automation, ...deps.stores, blobs: deps.blobs }, () => deps.i18n ?? (catalogs ??= createI18n())));
    router.use(spamRoutes({ ...deps.automation, ...deps.stores }));
    // A person's data exports: their job is scheduled with the ticket actions' scheduler.
    router.use(personalDataExportRoutes({ ...deps.stores, blobs: deps.blobs, scheduler: deps.automation.scheduler, now: deps.now, logger: deps.logger }));
  }
  if (deps.connectionChecks) router.use('/inboxes', inboxSettingsRoutes({ ...deps, ...deps.stores, connectionChecks: deps.connectionChecks }));
  router.use('/inboxes', inboxOAuthRoutes({ ...deps.stores, secrets: deps.secrets, oauth: deps.oauth ?? createOAuthEndpoint(), publicUrl: deps.publicUrl ?? null, now: deps.now }));
  if (deps.quarantine) router.use(quarantineRoutes(deps.quarantine));
  router.use(accessLogRoutes(deps.stores));
  router.use(cannedReplyRoutes(deps));
  router.use(viewRoutes(deps));
  router.use(satisfactionRoutes({ ...deps.stores, now: deps.now }));
  router.use(reportRoutes({ ...deps.stores, now: deps.now }));
  router.use(erasureRoutes({ ...deps.stores, now: deps.now }));
  router.use(contactRoutes({ ...deps.stores, now: deps.now }));
  router.use(categoryRoutes(deps));
  router.use(kbRoutes(deps));
  router.use(partnerRoutes(deps));
  router.use(routingRuleRoutes(deps));
  router.use(teamRoutes(deps));
  router.use('/inboxes', inboxRetentionRoutes({ retention: deps.stores.retention, now: deps.now, logger: deps.logger }));
  router.use('/inboxes', inboxRoutes({ ...deps, ...deps.stores }));
  router.use('/tickets', ticketRoutes(deps));
  router.use('/tickets', ticketReadRoutes({ ...deps.stores, now: deps.now }));
  // A draft's HTML is cleaned by the replies' sanitizer (without the ticket actions, drafts keep text only).
  router.use('/tickets', draftRoutes({ ...deps.stores, now: deps.now, ...(deps.automation?.sanitizeHtml ? { sanitizeHtml: deps.automation.sanitizeHtml } : {}) }));
  router.use('/attachments', attachmentRoutes(deps));
  router.use(userRoutes({ ...deps, ...deps.stores, ...(deps.automation?.refillTeamsOfMember ? { refillTeamsOfMember: deps.automation.refillTeamsOfMember } : {}) }));
  router.use(notificationRoutes({ ...deps.stores, now: deps.now }));
  return router;
}
