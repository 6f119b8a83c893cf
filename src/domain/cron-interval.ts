import { CronExpressionParser } from 'cron-parser';

const DAY_MS = 86_400_000;
const MAX_FIRINGS = 3000;

/**
 * The shortest time in seconds between consecutive firings of a 5-field cron expression (read in UTC)
 * on the first two days it fires from the day of `from` on, stopping early at a gap under
 * `atLeastSeconds`. Every day it fires on has the same times, so those two days hold every gap under
 * a day: within a day and across a midnight. Infinity when it fires once at most; throws for an
 * expression cron-parser cannot read.
 */
export function shortestCronGapSeconds(cron: string, from: Date, atLeastSeconds: number): number {
  const dayStart = Math.floor(from.getTime() / DAY_MS) * DAY_MS;
  const times = CronExpressionParser.parse(cron, { currentDate: new Date(dayStart - 1), tz: 'UTC' });
  let shortest = Number.POSITIVE_INFINITY;
  let previous: number | null = null;
  const days = new Set<number>();
  for (let i = 0; i < MAX_FIRINGS && times.hasNext(); i++) {
    const at = times.next().getTime();
    days.add(Math.floor(at / DAY_MS));
    if (days.size > 2) break;
    if (previous !== null) shortest = Math.min(shortest, (at - previous) / 1000);
    if (shortest < atLeastSeconds) break;
    previous = at;
  }
  return shortest;
}
