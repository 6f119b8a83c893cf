/** What can happen to a ticket; the trail is append-only. */
export const TICKET_EVENT_TYPES = [
  'created',
  /** An agent started the ticket by writing to the customer (services/tickets/start-conversation.ts; data: inboxId, to, cc). */
  'conversation_started',
  'message_received',
  'reply_queued',
  'reply_sent',
  'reply_failed',
  /** An agent wrote in a side conversation with a partner (data: sideConversationId, kind, to, messageId, opened: it started it). */
  'side_message_sent',
  /** A partner answered in a side conversation (data: sideConversationId, from, messageId); agents only. */
  'side_message_received',
  'note_added',
  'status_changed',
  'priority_changed',
  'priority_follows_matrix',
  'impact_urgency_changed',
  'category_changed',
  'team_changed',
  /** The ticket's inbox was deleted and its tickets moved to another inbox. */
  'inbox_moved',
  'assigned',
  /** Given to a member by its team's auto-assignment (data: to, teamId, name: the team's, by: what asked for it). */
  'auto_assigned',
  /** Every member of its team was away or at the cap: it waits for a free agent (data: teamId, name). */
  'assignment_waiting',
  'tags_changed',
  'merged',
  'linked',
  'related',
  'reopened',
  'bounce_received',
  'auto_reply_received',
  'auto_reply_sent',
  'auto_reply_suppressed',
  'sla_reminder',
  'sla_breached',
  'escalated',
  /** Moved to a team of a higher level (services/tickets/escalate-ticket.ts): data from, to, reason (agent | sla). */
  'level_escalated',
  /** The SLA clocks started over with the targets of the ticket's new level (data: level, since). */
  'sla_level_applied',
  'participants_capped',
  // Lifecycle automation (domain/lifecycle.ts): each names the rule that made it.
  'auto_closed',
  'pending_reminder',
  'snoozed',
  'unsnoozed',
  'snooze_woke',
  /** Moved to Spam: by an agent (data: block), or by ingest for a blocked sender (actor system). */
  'marked_spam',
  /** Back from Spam (data: status, the unblocked entry). */
  'not_spam',
  /** A routing rule acted on the ticket (data: rule, ruleId, action, what changed, the mail's messageId). */
  'routed',
  /** An editor drafted a knowledge base article from the ticket's conversation (data: articleId, title). */
  'kb_article_drafted',
  /** The customer was mailed the satisfaction survey of a solve (data: solvedAt, to); or it was not sent (`satisfaction_survey_skipped`, data: reason). */
  'satisfaction_survey_sent',
  'satisfaction_survey_skipped',
  /** The customer rated the ticket (data: rating, comment, changed: a change of an earlier rating). */
  'satisfaction_rated',
  /** The inbox's retention policy anonymised the closed ticket (services/retention; actor system, data: months). */
  'anonymised',
] as const;
export type TicketEventType = (typeof TICKET_EVENT_TYPES)[number];

/** Who a trail entry names as its cause: an agent, the customer (by address), or Threadline itself. */
export const TICKET_EVENT_ACTOR_KINDS = ['user', 'contact', 'system'] as const;
export type TicketEventActorKind = (typeof TICKET_EVENT_ACTOR_KINDS)[number];
