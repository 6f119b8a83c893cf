/** The friendly picker's state: which weekdays, at what local time. */
export interface DigestPicker {
  days: number[];
  time: string;
}

/** "1,2,3,4,5" → "1-5": runs of three or more days become ranges, as people write cron. */
function dayField(days: number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return '*';
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}-${sorted[j]}` : sorted.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return parts.join(',');
}

/** The 5-field cron expression of a picker (e.g. weekdays at 08:30 → "30 8 * * 1-5"), or null when it is incomplete. */
export function cronFromPicker(picker: DigestPicker): string | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(picker.time.trim());
  const days = picker.days.filter((d) => Number.isInteger(d) && d >= 0 && d <= 6);
  if (!m || days.length === 0) return null;
  const [hour, minute] = [Number(m[1]), Number(m[2])];
  if (hour > 23 || minute > 59) return null;
  return `${minute} ${hour} * * ${dayField(days)}`;
}

/**
 * The picker that writes this cron expression, or null when the expression says more than "these
 * weekdays at this time" (then the form shows it as raw cron instead).
 */
export function pickerFromCron(cron: string): DigestPicker | null {
  const m = /^(\d{1,2}) (\d{1,2}) \* \* ([0-7*][0-7,-]*)$/.exec(cron.trim().replace(/\s+/g, ' '));
  if (!m) return null;
  const [minute, hour] = [Number(m[1]), Number(m[2])];
  if (minute > 59 || hour > 23) return null;
  const days = new Set<number>();
  if (m[3] === '*') for (let d = 0; d < 7; d++) days.add(d);
  else {
    for (const part of m[3]!.split(',')) {
      const range = /^(\d)(?:-(\d))?$/.exec(part);
      if (!range) return null;
      const from = Number(range[1]);
      const to = range[2] === undefined ? from : Number(range[2]);
      if (to < from) return null;
      // cron allows 7 for Sunday as well as 0.
      for (let d = from; d <= to; d++) days.add(d % 7);
    }
  }
  return { days: [...days].sort((a, b) => a - b), time: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}` };
}
