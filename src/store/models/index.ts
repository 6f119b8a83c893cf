import type { Connection } from 'mongoose';
import { modelIndexes, syncIndexes } from '../index-sync.js';
import { accessLogModel } from './access-log.js';
import { apiTokenModel } from './api-token.js';
import { cannedReplyModel } from './canned-reply.js';
import { categoryModel } from './category.js';
import { contactModel } from './contact.js';
import { counterModel } from './counter.js';
import { inboxModel } from './inbox.js';
import { kbArticleModel } from './kb-article.js';
import { kbArticleStatModel } from './kb-article-stat.js';
import { kbCategoryModel } from './kb-category.js';
import { kbRevisionModel } from './kb-revision.js';
import { loginAttemptModel } from './login-attempt.js';
import { inboxStatusModel, mailboxCursorModel, mailboxLeaseModel } from './mailbox.js';
import { messageModel } from './message.js';
import { notificationModel } from './notification.js';
import { oauthGrantModel } from './oauth-grant.js';
import { outboxModel } from './outbox.js';
import { partnerModel } from './partner.js';
import { passwordTokenModel } from './password-token.js';
import { personErasureModel } from './person-erasure.js';
import { personalDataExportModel } from './personal-data-export.js';
import { quarantineModel } from './quarantine.js';
import { replyDraftModel } from './reply-draft.js';
import { reportRowBlockModel, reportRowStateModel } from './report-row-block.js';
import { routingRuleModel } from './routing-rule.js';
import { satisfactionRatingModel } from './satisfaction-rating.js';
import { savedViewModel } from './saved-view.js';
import { sideConversationModel } from './side-conversation.js';
import { spamBlockModel } from './spam-block.js';
import { teamModel } from './team.js';
import { ticketEventModel } from './ticket-event.js';
import { ticketPresenceModel } from './ticket-presence.js';
import { ticketReadModel } from './ticket-read.js';
import { ticketModel } from './ticket.js';
import { uploadModel } from './upload.js';
import { userModel } from './user.js';
import { webSessionModel } from './web-session.js';
import { workerHeartbeatModel } from './worker-heartbeat.js';

/** Registers every model on one connection; call once per connection. */
export function createModels(conn: Connection) {
  return {
    Inbox: inboxModel(conn),
    Ticket: ticketModel(conn),
    Message: messageModel(conn),
    Contact: contactModel(conn),
    User: userModel(conn),
    TicketEvent: ticketEventModel(conn),
    Counter: counterModel(conn),
    WorkerHeartbeat: workerHeartbeatModel(conn),
    MailboxCursor: mailboxCursorModel(conn),
    MailboxLease: mailboxLeaseModel(conn),
    InboxStatus: inboxStatusModel(conn),
    Quarantine: quarantineModel(conn),
    ApiToken: apiTokenModel(conn),
    Outbox: outboxModel(conn),
    WebSession: webSessionModel(conn),
    LoginAttempt: loginAttemptModel(conn),
    TicketPresence: ticketPresenceModel(conn),
    TicketRead: ticketReadModel(conn),
    ReplyDraft: replyDraftModel(conn),
    CannedReply: cannedReplyModel(conn),
    Category: categoryModel(conn),
    PasswordToken: passwordTokenModel(conn),
    SavedView: savedViewModel(conn),
    Team: teamModel(conn),
    Notification: notificationModel(conn),
    SpamBlock: spamBlockModel(conn),
    Partner: partnerModel(conn),
    SideConversation: sideConversationModel(conn),
    RoutingRule: routingRuleModel(conn),
    KbArticle: kbArticleModel(conn),
    KbArticleStat: kbArticleStatModel(conn),
    KbRevision: kbRevisionModel(conn),
    KbCategory: kbCategoryModel(conn),
    Upload: uploadModel(conn),
    SatisfactionRating: satisfactionRatingModel(conn),
    OAuthGrant: oauthGrantModel(conn),
    PersonalDataExport: personalDataExportModel(conn),
    AccessLog: accessLogModel(conn),
    PersonErasure: personErasureModel(conn),
    ReportRowBlock: reportRowBlockModel(conn),
    ReportRowState: reportRowStateModel(conn),
  };
}

export type Models = ReturnType<typeof createModels>;

/**
 * Runs index sync over every model's collection (tests and benchmarks). Start-up calls
 * `upgradeDatabase` instead, which also applies migrations and holds the migration lock.
 */
export async function ensureIndexes(models: Models): Promise<void> {
  await syncIndexes(models.Inbox.db.db!, modelIndexes(models));
}
