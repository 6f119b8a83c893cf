/** Capped exponential backoff with ±20% jitter; `attempt` counts from 1. `random` is injected for tests. */
export function backoffDelayMs(attempt: number, opts: { baseMs: number; maxMs: number }, random: () => number = Math.random): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(Math.min(opts.maxMs, exp * (0.8 + 0.4 * random())));
}
