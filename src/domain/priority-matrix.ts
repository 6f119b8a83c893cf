import type { TicketPriority } from './ticket-status.js';

/** How widely a request affects the business (ITIL impact). */
export const IMPACT_LEVELS = ['high', 'medium', 'low'] as const;
export type ImpactLevel = (typeof IMPACT_LEVELS)[number];

/** How soon the business needs it (ITIL urgency). */
export const URGENCY_LEVELS = ['high', 'medium', 'low'] as const;
export type UrgencyLevel = (typeof URGENCY_LEVELS)[number];

/**
 * The default impact × urgency matrix (ITIL style): rows are impact, columns urgency.
 *
 * | impact \ urgency | high   | medium | low    |
 * | ---------------- | ------ | ------ | ------ |
 * | **high**         | urgent | high   | normal |
 * | **medium**       | high   | normal | low    |
 * | **low**          | normal | low    | low    |
 */
export const DEFAULT_PRIORITY_MATRIX: Readonly<Record<ImpactLevel, Readonly<Record<UrgencyLevel, TicketPriority>>>> = {
  high: { high: 'urgent', medium: 'high', low: 'normal' },
  medium: { high: 'high', medium: 'normal', low: 'low' },
  low: { high: 'normal', medium: 'low', low: 'low' },
};

/** The priority that an impact and an urgency give under the matrix (the default one unless given). */
export function priorityFor(impact: ImpactLevel, urgency: UrgencyLevel, matrix = DEFAULT_PRIORITY_MATRIX): TicketPriority {
  return matrix[impact][urgency];
}
