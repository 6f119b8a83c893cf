import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Runs `work` while measuring the longest time this thread's event loop was kept from running. */
export async function loopDelayDuring<T>(work: () => Promise<T>): Promise<{ result: T; maxDelayMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  try {
    return { result: await work(), maxDelayMs: histogram.max / 1e6 };
  } finally {
    histogram.disable();
  }
}
