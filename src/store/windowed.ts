/**
 * Long reads as a sequence of short commands. The built-in server runs one command at a time, so a
 * single aggregation over a year of tickets would make every other request of the app (pollers, pages)
 * wait for it; run as consecutive time windows, each a short command, the others interleave.
 */

/** A time window of a query, [from, to); null: no bound on that side. */
export interface Window {
  from: Date | null;
  to: Date | null;
}

/** Each command of a windowed query aims to take about this long (ms). */
export const WINDOW_TARGET_MS = 40;
/** No window shorter than this (ms). */
const MIN_WINDOW_MS = 60_000;

/** The next window's length after one of `step` ms took `ms`: scaled toward the target, at most halved or doubled. */
export function nextWindowStep(step: number, ms: number): number {
  const factor = Math.min(2, Math.max(0.5, WINDOW_TARGET_MS / Math.max(ms, 1)));
  return Math.max(MIN_WINDOW_MS, Math.round(step * factor));
}

/**
 * Runs `query` over [from, to) as consecutive windows, one after the other (never two at once), the
 * first `firstStep` ms long and each next one sized from the time the previous took; the rows in window
 * order, oldest first (newest first with `newestFirst`). With `openEnds`, the first and last windows
 * have no outer bound, so that the windows cover every time, before `from` and after `to` included.
 * With `enough`, it stops after the first window whose rows make it true.
 */
export async function inWindows<T>(
  from: Date,
  to: Date,
  firstStep: number,
  query: (w: Window) => Promise<T[]>,
  opts: { newestFirst?: boolean; openEnds?: boolean; enough?: (rows: readonly T[]) => boolean } = {},
): Promise<T[]> {
  const start = from.getTime();
  const end = Math.max(start, to.getTime());
  const out: T[] = [];
  if (start === end && !opts.openEnds) return out;
  let step = Math.max(MIN_WINDOW_MS, firstStep);
  let edge = opts.newestFirst ? end : start;
  do {
    const a = opts.newestFirst ? Math.max(start, edge - step) : edge;
    const b = opts.newestFirst ? edge : Math.min(end, edge + step);
    const w: Window = { from: opts.openEnds && a === start ? null : new Date(a), to: opts.openEnds && b === end ? null : new Date(b) };
    const t = performance.now();
    const rows = await query(w);
    step = nextWindowStep(step, performance.now() - t);
    for (const row of rows) out.push(row);
    if (opts.enough?.(out)) break;
    edge = opts.newestFirst ? a : b;
  } while (opts.newestFirst ? edge > start : edge < end);
  return out;
}
