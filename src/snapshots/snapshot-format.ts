import { storedFormatOf } from '../salesforce/stored-format.js';
import type { Snapshot } from './snapshot.entity.js';

/**
 * How the org is read to fill or compare with a snapshot: in the snapshot's own form (`stored`: Salesforce's bytes
 * where the type has its own files; `source`: snapshots taken before metadata-format backups). ADR 0007.
 */
export function retrieveFormatOf(snapshot: Pick<Snapshot, 'filesFormat'>): 'stored' | 'source' {
  return snapshot.filesFormat === 'metadata' ? 'stored' : 'source';
}

/** Whether the snapshot holds this type's files exactly as Salesforce returned them (metadata format). */
export function isStoredExactly(snapshot: Pick<Snapshot, 'filesFormat'>, type: string): boolean {
  return snapshot.filesFormat === 'metadata' && storedFormatOf(type) === 'metadata';
}
