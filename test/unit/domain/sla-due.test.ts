import { describe, expect, it } from 'vitest';
import { SLA_DUE_SOON_MS, slaDueSoonBound, slaNextDueAt, type SlaDueInput } from '../../../src/domain/sla-due.js';
import { TICKET_STATUSES } from '../../../src/domain/ticket-status.js';
import type { TicketSummaryView } from '../../../src/services/tickets/ticket-view.js';
import { slaBadge } from '../../../src/web/pages/sla-badge.js';

const now = new Date('2026-11-21T12:00:00Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

describe('slaNextDueAt', () => {
  it('is the earliest running due time; a first-response target stops counting once answered', () => {
    expect(slaNextDueAt({ status: 'open', sla: { firstResponseDueAt: at(30), resolutionDueAt: at(600) } })).toEqual(at(30));
    expect(slaNextDueAt({ status: 'open', sla: { firstResponseDueAt: at(30), firstRespondedAt: at(-5), nextResponseDueAt: at(90), resolutionDueAt: at(60) } })).toEqual(at(60));
    expect(slaNextDueAt({ status: 'new', sla: { firstResponseDueAt: at(-10) } })).toEqual(at(-10));
  });

  it('keeps a recorded breach, and is null when no clock runs', () => {
    expect(slaNextDueAt({ status: 'open', sla: { breachedAt: at(-120), resolutionDueAt: at(600) } })).toEqual(at(-120));
    expect(slaNextDueAt({ status: 'pending', sla: { breachedAt: at(-120) } })).toEqual(at(-120));
    expect(slaNextDueAt({ status: 'solved', sla: { breachedAt: at(-120), resolutionDueAt: at(5) } })).toBeNull();
    expect(slaNextDueAt({ status: 'closed', sla: { firstResponseDueAt: at(5) } })).toBeNull();
    expect(slaNextDueAt({ status: 'open', sla: {} })).toBeNull();
    expect(slaNextDueAt({ status: 'open' })).toBeNull();
  });

  it('selects exactly the tickets whose list badge is red or amber', () => {
    const times = [null, at(-30), at(0), at(30), at(60), at(61), at(600)];
    let checked = 0;
    for (const status of TICKET_STATUSES) {
      for (const firstResponseDueAt of times) {
        for (const resolutionDueAt of times) {
          for (const breachedAt of [null, at(-5)]) {
            for (const firstRespondedAt of [null, at(-60)]) {
              // A pending ticket keeps no due times (its clocks are stopped), only its pause start.
              const paused = status === 'pending';
              const sla = paused
                ? { firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null, firstRespondedAt, breachedAt, pausedAt: at(-1) }
                : { firstResponseDueAt, nextResponseDueAt: null, resolutionDueAt, firstRespondedAt, breachedAt, pausedAt: null };
              const input: SlaDueInput = { status, sla };
              const next = slaNextDueAt(input);
              const filtered = next !== null && next <= slaDueSoonBound(now);
              const badge = slaBadge({ status, sla: { ...sla, awaitingSince: null, pausedSeconds: 0, escalationLevel: 0 } } as Pick<TicketSummaryView, 'status' | 'sla'>, now);
              expect(filtered, JSON.stringify(input)).toBe(badge?.tone === 'breach' || badge?.tone === 'warn');
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBe(TICKET_STATUSES.length * 7 * 7 * 2 * 2);
  });

  it('puts the bound one badge window after now', () => {
    expect(slaDueSoonBound(now).getTime() - now.getTime()).toBe(SLA_DUE_SOON_MS);
  });
});
