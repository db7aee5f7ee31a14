import type { ComponentRecord } from './component-store.js';
import { componentFileName } from './metadata-types.js';
import type { XmlValue } from './xml-writer.js';

/** FileProperties of a stored component, its file name under `prefix` (`unpackaged/` in retrieves). */
export function fileProperties(record: ComponentRecord, prefix = ''): XmlValue {
  return {
    createdById: record.created.userId,
    createdByName: record.created.userName,
    createdDate: record.created.date,
    fileName: prefix + componentFileName(record),
    fullName: record.fullName,
    id: record.id,
    lastModifiedById: record.lastModified.userId,
    lastModifiedByName: record.lastModified.userName,
    lastModifiedDate: record.lastModified.date,
    manageableState: 'unmanaged',
    namespacePrefix: '',
    type: record.type,
  };
}
