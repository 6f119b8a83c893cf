import { createAccessLogStore } from './access-log-store.js';
import { createApiTokenStore } from './api-token-store.js';
import { createCannedReplyStore } from './canned-reply-store.js';
import { createCategoryStore } from './category-store.js';
import { createContactStore } from './contact-store.js';
import { createErasureStore } from './erasure-writes.js';
import { createInboxStore } from './inbox-store.js';
import { createInboxRemovalStore } from './inbox-removal-store.js';
import { createKbArticleStore } from './kb-article-store.js';
import { createKbStatsStore } from './kb-stats-store.js';
import { createKbCategoryStore } from './kb-category-store.js';
import { createKbRevisionStore } from './kb-revision-store.js';
import { createLoginAttemptStore } from './login-attempt-store.js';
import { createMailboxStateStore } from './mailbox-state-store.js';
import { createMessageStore } from './message-store.js';
import type { Models } from './models/index.js';
import { createNotificationStore } from './notification-store.js';
import { createOAuthGrantStore } from './oauth-grant-store.js';
import { createOutboxStore } from './outbox-store.js';
import { createPartnerStore } from './partner-store.js';
import { createPasswordTokenStore } from './password-token-store.js';
import { createPersonalDataExportStore } from './personal-data-export-store.js';
import { createPersonDataStore } from './person-data-store.js';
import { createPresenceStore } from './presence-store.js';
import { createQuarantineStore } from './quarantine-store.js';
import { createReplyDraftStore } from './reply-draft-store.js';
import { createReportStore } from './report-store.js';
import { createReportRowStore } from './report-row-store.js';
import { createRetentionStore } from './retention-writes.js';
import { createRoutingRuleStore } from './routing-rule-store.js';
import { createSatisfactionStore } from './satisfaction-store.js';
import { createSavedViewStore } from './saved-view-store.js';
import { createSideConversationStore } from './side-conversation-store.js';
import { createSpamBlockStore } from './spam-block-store.js';
import { createTeamStore } from './team-store.js';
import { createTicketStore } from './ticket-store.js';
import { createTicketReadStore } from './ticket-read-store.js';
import { createTrailStore } from './trail-store.js';
import { createUploadStore } from './upload-store.js';
import { createUserStore } from './user-store.js';
import { createWebSessionStore } from './web-session-store.js';
import { createHeartbeatStore } from './worker-heartbeats.js';

/**
 * One store per collection, each the only code that queries it. Use cases take the stores they use
 * as flat dependencies (`{ users, tickets }`) and name the methods they call with `Pick`.
 */
export function createStores(models: Models) {
  return {
    users: createUserStore(models),
    webSessions: createWebSessionStore(models),
    apiTokens: createApiTokenStore(models),
    passwordTokens: createPasswordTokenStore(models),
    loginAttempts: createLoginAttemptStore(models),
    inboxes: createInboxStore(models),
    inboxRemoval: createInboxRemovalStore(models),
    cannedReplies: createCannedReplyStore(models),
    categories: createCategoryStore(models),
    quarantine: createQuarantineStore(models),
    mailboxState: createMailboxStateStore(models),
    tickets: createTicketStore(models),
    trail: createTrailStore(models),
    presence: createPresenceStore(models),
    ticketReads: createTicketReadStore(models),
    replyDrafts: createReplyDraftStore(models),
    messages: createMessageStore(models),
    contacts: createContactStore(models),
    personData: createPersonDataStore(models),
    erasure: createErasureStore(models),
    outbox: createOutboxStore(models),
    heartbeats: createHeartbeatStore(models),
    savedViews: createSavedViewStore(models),
    teams: createTeamStore(models),
    notifications: createNotificationStore(models),
    spamBlocks: createSpamBlockStore(models),
    partners: createPartnerStore(models),
    sideConversations: createSideConversationStore(models),
    routingRules: createRoutingRuleStore(models),
    kbArticles: createKbArticleStore(models),
    kbStats: createKbStatsStore(models),
    kbRevisions: createKbRevisionStore(models),
    kbCategories: createKbCategoryStore(models),
    uploads: createUploadStore(models),
    satisfaction: createSatisfactionStore(models),
    reports: createReportStore(models),
    reportRows: createReportRowStore(models),
    oauthGrants: createOAuthGrantStore(models),
    personalDataExports: createPersonalDataExportStore(models),
    accessLog: createAccessLogStore(models),
    retention: createRetentionStore(models),
  };
}

/** Every collection's store. */
export type Stores = ReturnType<typeof createStores>;
