import type { QuarantineStore } from '../../store/quarantine-store.js';
import type { IngestQuarantinedDeps } from './ingest-quarantined.js';

/** What the quarantine screen's use cases need together (the pages and the API hold one of these). */
export type QuarantineScreenDeps = Omit<IngestQuarantinedDeps, 'quarantine'> & {
  quarantine: Pick<QuarantineStore, 'list' | 'findById' | 'remove'>;
};
