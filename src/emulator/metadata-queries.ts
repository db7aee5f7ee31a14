// listMetadata, describeMetadata and readMetadata over an org's components.
import { XMLParser } from 'fast-xml-parser';
import type { ComponentRecord, ComponentStore } from './component-store.js';
import { childFragment, composeFile } from './decomposed-file.js';
import { fileProperties } from './file-properties.js';
import {
  childOwnName,
  componentFileName,
  findChildType,
  findType,
  METADATA_TYPES,
  metaFileName,
  primaryFileName,
} from './metadata-types.js';
import type { XmlValue } from './xml-writer.js';

export interface ListQuery {
  readonly type: string;
  readonly folder?: string;
}

export const MAX_LIST_QUERIES = 3;

/**
 * The components a query names. For an in-folder type (Report, Document…) the folder is required, as in
 * Salesforce: without one nothing is listed; with one, the members of that folder (case-insensitively).
 */
export function listMetadata(store: ComponentStore, queries: readonly ListQuery[]): XmlValue[] {
  return queries.flatMap((query) => {
    const def = findType(query.type);
    let records = store.list(query.type);
    if (def?.inFolder) {
      const folder = typeof query.folder === 'string' ? query.folder.toLowerCase() : undefined;
      records = folder === undefined ? [] : records.filter((r) => r.fullName.toLowerCase().startsWith(`${folder}/`));
    }
    return records.map((record) => fileProperties(record));
  });
}

export function describeMetadata(): XmlValue {
  return {
    metadataObjects: METADATA_TYPES.filter((def) => def.layout !== 'folder').map((def) => ({
      childXmlNames: def.children.map((child) => child.name),
      directoryName: def.directoryName,
      inFolder: def.inFolder,
      metaFile: def.metaFile,
      suffix: def.suffix,
      xmlName: def.name,
    })),
    organizationNamespace: '',
    partialSaveAllowed: true,
    testRequired: false,
  };
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
});

type Fields = { readonly [key: string]: XmlValue };

/** The fields of the document's root element (or of the single element of a fragment). */
function elementFields(xml: string): Fields {
  const parsed = parser.parse(xml) as Record<string, unknown>;
  const root = Object.values(parsed)[0];
  return typeof root === 'object' && root !== null ? (root as Fields) : {};
}

function recordXml(store: ComponentStore, record: ComponentRecord): Fields {
  const fileName = componentFileName(record);
  const def = findType(record.type);
  if (def?.metaFile || def?.layout === 'folder') {
    const meta = record.content.files.get(metaFileName(def, record.fullName) ?? '')?.toString('utf8') ?? '';
    return { ...elementFields(meta), content: record.content.files.get(fileName)?.toString('base64') };
  }
  if (def && def.children.length > 0) {
    const children = store.childrenOf(record).map((child) => ({
      tag: findChildType(child.type)?.child.tag ?? '',
      name: childOwnName(def, child.fullName),
      fragment: childFragment(child, fileName),
    }));
    return elementFields(composeFile(def, record.content.files.get(fileName)?.toString('utf8'), children));
  }
  if (def?.bundle) return {};
  const xml = record.content.files.get(def ? primaryFileName(def, record.fullName) : fileName)?.toString('utf8') ?? '';
  return elementFields(xml);
}

/** Records for the components that exist; missing ones are left out. */
export function readMetadata(store: ComponentStore, type: string, fullNames: readonly string[]): XmlValue[] {
  return fullNames.flatMap((fullName) => {
    const record = store.get({ type, fullName });
    if (!record) return [];
    return [{ '@xsi:type': type, ...recordXml(store, record), fullName }];
  });
}
