/** The mail Threadline sends, each kind with its own template and rules. */
export const OUTBOX_KINDS = ['agent-reply', 'auto-reply', 'sla-reminder', 'escalation', 'digest'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/** Where a queued mail stands: pending → sending → sent, or failed for good. */
export const OUTBOX_STATES = ['pending', 'sending', 'sent', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];
