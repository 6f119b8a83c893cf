/** A conversation's entries: customer mail (inbound), our mail (outbound) and internal notes. */
export const MESSAGE_DIRECTIONS = ['inbound', 'outbound', 'note'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];
