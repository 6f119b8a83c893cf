import { baseline } from './0001-baseline.js';
import { inboxLanguages } from './0002-inbox-languages.js';
import { ticketTeams } from './0003-ticket-teams.js';
import { userNotificationPreferences } from './0004-user-notification-preferences.js';
import { ticketLifecycle } from './0005-ticket-lifecycle.js';
import { ticketSearch } from './0006-ticket-search.js';
import { ticketMetrics } from './0007-ticket-metrics.js';
import { resolutionAttainment } from './0008-resolution-attainment.js';
import { blindCopyAddresses } from './0009-blind-copy-addresses.js';
import type { Migration } from './migration.js';

/** Every migration, oldest first. A new one goes at the end with the next version; none is ever removed. */
export const MIGRATIONS: readonly Migration[] = [baseline, inboxLanguages, ticketTeams, userNotificationPreferences, ticketLifecycle, ticketSearch, ticketMetrics, resolutionAttainment, blindCopyAddresses];
