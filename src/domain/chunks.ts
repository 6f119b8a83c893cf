/** `items` cut into consecutive runs of at most `size` (the last may be shorter), in order: bounded `$in` lists and batches. */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
