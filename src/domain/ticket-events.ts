/** What can happen to a ticket; the trail is append-only. */
export const TICKET_EVENT_TYPES = [
  'created',
  'message_received',
  'reply_queued',
  'reply_sent',
  'reply_failed',
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
] as const;
export type TicketEventType = (typeof TICKET_EVENT_TYPES)[number];

/** Who a trail entry names as its cause: an agent, the customer (by address), or Threadline itself. */
export const TICKET_EVENT_ACTOR_KINDS = ['user', 'contact', 'system'] as const;
export type TicketEventActorKind = (typeof TICKET_EVENT_ACTOR_KINDS)[number];
