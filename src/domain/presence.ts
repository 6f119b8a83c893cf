/** What another agent is doing on a ticket page: reading it, or writing a reply. */
export const PRESENCE_STATES = ['viewing', 'replying'] as const;
export type PresenceState = (typeof PRESENCE_STATES)[number];
