import type { SlaAttainment } from '../../domain/ticket-metrics.js';
import type { Translator } from '../../i18n/catalog.js';
import { humaniseDuration } from '../../mail/email-format.js';
import type { TicketMetricsView } from '../../services/tickets/ticket-view.js';

/** One line of the ticket page's metrics card: what it measures and its value in words. */
export interface MetricsRow {
  label: string;
  value: string;
  /** The SLA attainment of the target that stopped with it (`met`/`breached`), for the badge's colour; null: none. */
  sla: SlaAttainment;
  slaText: string | null;
}

/**
 * The ticket page's metrics card: first response and resolution (calendar time, with business time
 * when it differs) with their SLA attainment, and the reopens, in the reader's language. The stored
 * figures only (domain/ticket-metrics.ts): nothing is worked out here.
 */
export function ticketMetricsPanel(m: TicketMetricsView, tr: Pick<Translator, 't'>): { rows: MetricsRow[] } {
  const duration = (calendar: number, business: number | null) =>
    business === null || business === calendar ? humaniseDuration(calendar, tr) : tr.t('tickets:metrics.withBusiness', { calendar: humaniseDuration(calendar, tr), business: humaniseDuration(business, tr) });
  const row = (key: string, value: string, sla: SlaAttainment = null): MetricsRow => ({ label: tr.t(`tickets:metrics.${key}`), value, sla, slaText: sla ? tr.t(`tickets:metrics.sla.${sla}`) : null });
  const rows: MetricsRow[] = [];
  if (m.firstResponseSeconds !== null) rows.push(row('firstResponse', duration(m.firstResponseSeconds, m.firstResponseBusinessSeconds), m.sla.firstResponse));
  if (m.resolutionSeconds !== null) rows.push(row('resolution', duration(m.resolutionSeconds, m.resolutionBusinessSeconds), m.sla.resolution));
  if (m.reopenCount > 0) rows.push(row('reopened', tr.t('tickets:metrics.reopenCount', { count: m.reopenCount })));
  return { rows };
}
