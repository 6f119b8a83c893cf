/** One line of a text progress bar, e.g. `[#####·····] 1,200/50,000  2.4%  180 msg/s  ETA 4m31s  syncing`; the rate's unit is `msg` unless given. */
export function progressLine(p: { done: number; total: number; ratePerSecond: number | null; state: string; width?: number; unit?: string }): string {
  const width = p.width ?? 30;
  const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'·'.repeat(width - filled)}]`;
  const n = (v: number) => v.toLocaleString('en-US');
  const parts = [bar, `${n(p.done)}/${n(p.total)}`, `${(fraction * 100).toFixed(1)}%`];
  if (p.ratePerSecond && p.ratePerSecond > 0) {
    parts.push(`${p.ratePerSecond.toFixed(0)} ${p.unit ?? 'msg'}/s`);
    const left = Math.max(0, p.total - p.done) / p.ratePerSecond;
    if (p.done < p.total) parts.push(`ETA ${left >= 60 ? `${Math.floor(left / 60)}m${String(Math.round(left % 60)).padStart(2, '0')}s` : `${Math.ceil(left)}s`}`);
  }
  parts.push(p.state);
  return parts.join('  ');
}
