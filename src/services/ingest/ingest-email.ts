import { ingestBatch } from './ingest-batch.js';
import type { IngestDeps, IngestInput, IngestResult } from './ingest-ports.js';

export { ingestBatch } from './ingest-batch.js';
export type { BatchOutcome, FollowUpPort, IngestDeps, IngestFollowUp, IngestInput, IngestResult, IngestStep } from './ingest-ports.js';

/**
 * Turns one received mail into (part of) a ticket: a batch of one (see ingestBatch, which a poller
 * calls with each fetched batch). Safe to run again for the same mail at any point.
 */
export async function ingestEmail(deps: IngestDeps, input: IngestInput): Promise<IngestResult> {
  const [outcome] = await ingestBatch(deps, [input]);
  if (outcome!.status === 'rejected') throw outcome!.reason;
  return outcome!.value;
}
