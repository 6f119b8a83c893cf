import { AppError } from '../../domain/errors.js';

/** One stored document: its `_id` (opaque here, handed back to resume after it), its BSON size, and the document. */
export interface ExportDoc {
  id: unknown;
  bytes: number;
  doc: object;
}

/** An index as the source lists it: key, name and every option (unique, sparse, partialFilterExpression, expireAfterSeconds, …). */
export type IndexSpec = { name: string; key: Record<string, unknown> } & Record<string, unknown>;

/** A collection of the source database; `type` is `collection` for the ones whose documents can be copied. */
export interface SourceCollection {
  name: string;
  type: string;
  options: Record<string, unknown>;
}

/** Where an export reads from. */
export interface ExportSource {
  collections(): Promise<SourceCollection[]>;
  count(collection: string): Promise<number>;
  indexes(collection: string): Promise<IndexSpec[]>;
  /**
   * The documents in `_id` order, from the start or after the document whose id is `after.id`.
   * `fromStart` says the source could not continue exactly there and reads the whole collection again.
   */
  read(collection: string, after?: { id: unknown }): Promise<{ fromStart: boolean; docs: AsyncIterable<ExportDoc> }>;
}

/** How far the copy of one collection got: the last document written and recorded, and whether it finished. */
export interface CollectionProgress {
  last?: { id: unknown };
  copied: number;
  done: boolean;
}

/** Where an export writes to. */
export interface ExportTarget {
  count(collection: string): Promise<number>;
  /** Creates the collection with the source's options; nothing when it exists. */
  createCollection(collection: string, options: Record<string, unknown>): Promise<void>;
  /** Stores documents by `_id`: one already there (written before an interruption) is replaced, never doubled. */
  write(collection: string, docs: ExportDoc[]): Promise<void>;
  createIndexes(collection: string, specs: IndexSpec[]): Promise<void>;
  /** The progress records, kept in the target so a re-run finds them wherever it runs. */
  progress: {
    load(): Promise<Map<string, CollectionProgress>>;
    save(collection: string, progress: CollectionProgress): Promise<void>;
    clear(): Promise<void>;
  };
}

/** What an export reports while it runs. */
export type ExportEvent =
  | { type: 'copying'; collection: string; done: number; total: number; ratePerSecond: number | null }
  | { type: 'copied'; collection: string; done: number; total: number; ratePerSecond: number | null; earlier: boolean }
  | { type: 'restarted'; collection: string }
  | { type: 'skipped'; collection: string; reason: string }
  | { type: 'indexes'; collection: string; count: number };

/** What was exported: per collection its documents (counted in both databases) and indexes. */
export interface ExportReport {
  collections: Array<{ name: string; documents: number; indexes: number }>;
  skipped: string[];
  documents: number;
  indexes: number;
}

export interface ExportOptions {
  /** Continue an interrupted export, or write into collections that already hold documents. */
  resume?: boolean;
  batchDocs?: number;
  batchBytes?: number;
  /** Stops between batches, after the batch is written and recorded. */
  signal?: AbortSignal;
  onEvent?: (event: ExportEvent) => void;
}

/**
 * Copies every collection of the source, then its indexes, then checks that both sides hold as many
 * documents. Documents go in `_id` order in batches; after each batch the last `_id` is recorded in
 * the target, so a re-run with `resume` continues there. A batch written but not yet recorded is
 * written again on resume and replaces itself. Refuses a target collection that already holds
 * documents (or an unfinished export) unless `resume` is set.
 */
export async function exportDatabase(deps: { source: ExportSource; target: ExportTarget; now?: () => number }, opts: ExportOptions = {}): Promise<ExportReport> {
  const { source, target } = deps;
  const now = deps.now ?? Date.now;
  const emit = opts.onEvent ?? (() => {});
  const all = (await source.collections()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const copyable = all.filter((c) => c.type === 'collection');
  const skipped = all.filter((c) => c.type !== 'collection');
  for (const c of skipped) emit({ type: 'skipped', collection: c.name, reason: `a ${c.type}, not a collection: not exported` });

  const progress = await target.progress.load();
  if (!opts.resume) {
    const filled: string[] = [];
    for (const c of copyable) {
      const n = await target.count(c.name);
      if (n > 0) filled.push(`${c.name} (${n.toLocaleString('en-US')})`);
    }
    if (progress.size > 0) {
      throw new AppError('CONFLICT', 'An earlier export into this database did not finish: run the same command with --resume to continue it, or export into an empty database', {
        key: 'conflict.exportUnfinished',
      });
    }
    if (filled.length > 0) {
      throw new AppError('CONFLICT', `The target already holds documents in ${filled.join(', ')}: export into an empty database, or pass --resume to write into it (documents with the same _id are replaced by the source's)`, {
        key: 'conflict.exportTargetNotEmpty',
        params: { collections: filled.join(', ') },
      });
    }
  }

  const batchDocs = opts.batchDocs ?? 1000;
  const batchBytes = opts.batchBytes ?? 8 * 1024 * 1024;
  for (const c of copyable) {
    const earlier = progress.get(c.name);
    const total = await source.count(c.name);
    if (earlier?.done) {
      emit({ type: 'copied', collection: c.name, done: earlier.copied, total, ratePerSecond: null, earlier: true });
      continue;
    }
    opts.signal?.throwIfAborted();
    await target.createCollection(c.name, c.options);
    const { fromStart, docs } = await source.read(c.name, earlier?.last);
    if (fromStart && earlier?.last) emit({ type: 'restarted', collection: c.name });
    let copied = fromStart ? 0 : (earlier?.copied ?? 0);
    let last = fromStart ? undefined : earlier?.last;
    const started = now();
    let thisRun = 0;
    const rate = () => (now() > started ? thisRun / ((now() - started) / 1000) : null);
    let batch: ExportDoc[] = [];
    let bytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await target.write(c.name, batch);
      copied += batch.length;
      thisRun += batch.length;
      last = { id: batch[batch.length - 1]!.id };
      batch = [];
      bytes = 0;
      await target.progress.save(c.name, { last, copied, done: false });
      emit({ type: 'copying', collection: c.name, done: copied, total, ratePerSecond: rate() });
      opts.signal?.throwIfAborted();
    };
    for await (const doc of docs) {
      if (batch.length > 0 && (batch.length >= batchDocs || bytes + doc.bytes > batchBytes)) await flush();
      batch.push(doc);
      bytes += doc.bytes;
    }
    await flush();
    await target.progress.save(c.name, { ...(last ? { last } : {}), copied, done: true });
    emit({ type: 'copied', collection: c.name, done: copied, total, ratePerSecond: rate(), earlier: false });
  }

  const report: ExportReport = { collections: [], skipped: skipped.map((c) => c.name), documents: 0, indexes: 0 };
  for (const c of copyable) {
    const specs = (await source.indexes(c.name)).filter((ix) => ix.name !== '_id_');
    if (specs.length > 0) await target.createIndexes(c.name, specs);
    emit({ type: 'indexes', collection: c.name, count: specs.length });
    report.collections.push({ name: c.name, documents: 0, indexes: specs.length });
    report.indexes += specs.length;
  }

  const differ: string[] = [];
  for (const entry of report.collections) {
    const [inSource, inTarget] = [await source.count(entry.name), await target.count(entry.name)];
    if (inSource !== inTarget) differ.push(`${entry.name} (source ${inSource}, target ${inTarget})`);
    entry.documents = inTarget;
    report.documents += inTarget;
  }
  if (differ.length > 0) {
    throw new AppError(
      'CONFLICT',
      `Document counts differ after the export: ${differ.join(', ')}. Was Threadline still running against the source? Stop it and export again into an empty database`,
      { key: 'conflict.exportCountsDiffer', params: { differences: differ.join(', ') } },
    );
  }
  await target.progress.clear();
  return report;
}
