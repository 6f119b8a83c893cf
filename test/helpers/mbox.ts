import { readFileSync } from 'node:fs';

/** Splits an mbox file into raw messages (CRLF line ends, `>From ` unescaped), in file order. */
export function readMbox(file: string): Buffer[] {
  const text = readFileSync(file, 'latin1');
  const parts = text.split(/^From .*\r?\n/m).slice(1);
  return parts.map((part) => Buffer.from(part.replace(/\r?\n$/, '').replace(/^>(>*From )/gm, '$1').replace(/\r?\n/g, '\r\n'), 'latin1'));
}

/** A deterministic shuffle (mulberry32), so a failing order can be reproduced. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Pairwise precision and recall of a clustering against ground truth (both: item → cluster label). */
export function pairwiseScore(predicted: Map<string, string>, truth: Map<string, string>): { precision: number; recall: number; pairs: number } {
  const items = [...truth.keys()];
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i]!;
      const b = items[j]!;
      const together = predicted.get(a) !== undefined && predicted.get(a) === predicted.get(b);
      const truly = truth.get(a) === truth.get(b);
      if (together && truly) tp++;
      else if (together) fp++;
      else if (truly) fn++;
    }
  }
  return { precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp + fn === 0 ? 1 : tp / (tp + fn), pairs: tp + fp + fn };
}

/**
 * Message id (no angle brackets) → thread label from a ground-truth TSV whose columns are mbox index,
 * message id, thread and subject (the fedora-devel and prose-in-reply-to fixtures).
 */
export function readGroundTruth(file: string): Map<string, string> {
  const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  return new Map(rows.map((line) => line.split('\t')).map(([, id, thread]) => [id!.replace(/^<|>$/g, ''), thread!] as const));
}
