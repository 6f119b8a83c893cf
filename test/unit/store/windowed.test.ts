import { describe, expect, it } from 'vitest';
import { inWindows, nextWindowStep, WINDOW_TARGET_MS, type Window } from '../../../src/store/windowed.js';

const HOUR = 3_600_000;
const from = new Date(Date.UTC(2026, 0, 1));
const to = new Date(from.getTime() + 10 * 24 * HOUR);

/** Runs inWindows, recording each window asked and how many queries ran at once at most. */
async function record(opts: Parameters<typeof inWindows>[4] = {}, firstStep = 24 * HOUR) {
  const windows: Window[] = [];
  let running = 0;
  let most = 0;
  const rows = await inWindows(
    from,
    to,
    firstStep,
    async (w) => {
      running++;
      most = Math.max(most, running);
      windows.push(w);
      await new Promise((r) => setTimeout(r, 1));
      running--;
      return [w];
    },
    opts,
  );
  return { windows, rows, most };
}

describe('windowed reads', () => {
  it('covers [from, to) with consecutive windows, oldest first, one query at a time', async () => {
    const { windows, rows, most } = await record();
    expect(most).toBe(1);
    expect(rows).toEqual(windows);
    expect(windows.length).toBeGreaterThan(1);
    expect(windows[0]!.from).toEqual(from);
    expect(windows.at(-1)!.to).toEqual(to);
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.from).toEqual(windows[i - 1]!.to);
    for (const w of windows) expect(w.from!.getTime()).toBeLessThan(w.to!.getTime());
  });

  it('walks newest first when asked, still without gap or overlap', async () => {
    const { windows } = await record({ newestFirst: true });
    expect(windows[0]!.to).toEqual(to);
    expect(windows.at(-1)!.from).toEqual(from);
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.to).toEqual(windows[i - 1]!.from);
  });

  it('leaves the outer ends open with openEnds, and queries once for an empty range', async () => {
    const { windows } = await record({ openEnds: true });
    expect(windows[0]!.from).toBeNull();
    expect(windows.at(-1)!.to).toBeNull();
    const single: Window[] = [];
    await inWindows(from, from, HOUR, async (w) => (single.push(w), []), { openEnds: true });
    expect(single).toEqual([{ from: null, to: null }]);
    expect(await inWindows(from, from, HOUR, async (w) => [w])).toEqual([]);
  });

  it('sizes the next window toward the target time, at most halving or doubling it', () => {
    expect(nextWindowStep(24 * HOUR, WINDOW_TARGET_MS)).toBe(24 * HOUR);
    expect(nextWindowStep(24 * HOUR, WINDOW_TARGET_MS * 10)).toBe(12 * HOUR);
    expect(nextWindowStep(24 * HOUR, 0)).toBe(48 * HOUR);
    expect(nextWindowStep(HOUR, 10_000)).toBe(30 * 60_000);
    expect(nextWindowStep(60_000, 10_000)).toBe(60_000);
  });
});
