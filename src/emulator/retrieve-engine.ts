// Builds a retrieve's zip, file properties and messages from an org's components.
import { componentKey, type ComponentRecord, type ComponentStore } from './component-store.js';
import { childFragment, composeFile } from './decomposed-file.js';
import { fileProperties } from './file-properties.js';
import { retrieveLimitErrors, type LimitError, type MetadataLimits } from './metadata-limits.js';
import {
  childOwnName,
  findChildType,
  findType,
  manifestMember,
  primaryFileName,
  type MetadataTypeDef,
} from './metadata-types.js';
import { isProfileLike } from '../common/profile-xml.js';
import { relativeProfileFiles } from './profile-semantics.js';
import { renderPackageManifest, type ManifestType } from './package-manifest.js';
import type { XmlValue } from './xml-writer.js';
import { writeZip } from './zip-io.js';

export interface RetrieveRequest {
  readonly apiVersion: string;
  readonly singlePackage: boolean;
  readonly types: readonly ManifestType[];
}

export interface RetrieveMessage {
  readonly fileName: string;
  readonly problem: string;
}

export interface RetrieveOutput {
  readonly zipFile: Buffer;
  readonly fileProperties: XmlValue[];
  readonly messages: RetrieveMessage[];
}

/** A parent file being assembled from the parent (when asked for) and the children asked for. */
interface ComposedFile {
  readonly def: MetadataTypeDef;
  readonly fullName: string;
  readonly children: Map<string, ComponentRecord>;
}

function members(
  store: ComponentStore,
  type: string,
  names: readonly string[],
  missing: (name: string) => void,
): ComponentRecord[] {
  if (names.includes('*')) return store.list(type);
  return names.flatMap((member) => {
    const record = store.get(manifestMember(type, member));
    if (!record) missing(member);
    return record ? [record] : [];
  });
}

function manifestProperties(fileName: string): XmlValue {
  const now = new Date().toISOString();
  return {
    createdById: '',
    createdByName: '',
    createdDate: now,
    fileName,
    fullName: fileName,
    id: '',
    lastModifiedById: '',
    lastModifiedByName: '',
    lastModifiedDate: now,
    manageableState: 'unmanaged',
    type: 'Package',
  };
}

export function buildRetrieve(
  store: ComponentStore,
  request: RetrieveRequest,
  limits: MetadataLimits,
): RetrieveOutput | LimitError {
  const prefix = request.singlePackage ? '' : 'unpackaged/';
  const manifestName = `${prefix}package.xml`;
  const files = new Map<string, Buffer>();
  const props: XmlValue[] = [];
  const messages: RetrieveMessage[] = [];
  const retrieved = new Map<string, Set<string>>();
  const composed = new Map<string, ComposedFile>();
  const profiles: ComponentRecord[] = [];

  const note = (record: ComponentRecord) => {
    props.push(fileProperties(record, prefix));
    const names = retrieved.get(record.type) ?? new Set<string>();
    names.add(record.fullName);
    retrieved.set(record.type, names);
  };
  const composedFile = (def: MetadataTypeDef, fullName: string) => {
    const key = componentKey({ type: def.name, fullName });
    let file = composed.get(key);
    if (!file) {
      file = { def, fullName, children: new Map() };
      composed.set(key, file);
    }
    return file;
  };

  for (const { name, members: names } of request.types) {
    const missing = (fullName: string) =>
      messages.push({
        fileName: manifestName,
        problem: `Entity of type '${name}' named '${fullName}' cannot be found`,
      });
    const def = findType(name);
    const child = findChildType(name);
    if (!def && !child) {
      messages.push({ fileName: manifestName, problem: `Entity type '${name}' is unknown` });
      continue;
    }
    for (const record of members(store, name, names, missing)) {
      note(record);
      if (child && record.parent) {
        const parentName = store.get(record.parent)?.fullName ?? record.parent.fullName;
        composedFile(child.parent, parentName).children.set(record.fullName, record);
      } else if (def && def.children.length > 0) {
        const file = composedFile(def, record.fullName);
        for (const childRecord of store.childrenOf(record)) file.children.set(childRecord.fullName, childRecord);
      } else if (isProfileLike(record.type)) {
        profiles.push(record); // relative to the whole retrieve: filtered once every member is known
      } else {
        for (const [path, data] of record.content.files) files.set(prefix + path, data);
      }
    }
  }

  for (const record of profiles) {
    for (const [path, data] of relativeProfileFiles(record, retrieved)) files.set(prefix + path, data);
  }
  for (const file of composed.values()) {
    const fileName = primaryFileName(file.def, file.fullName);
    const parentXml = store
      .get({ type: file.def.name, fullName: file.fullName })
      ?.content.files.get(fileName)
      ?.toString('utf8');
    const children = [...file.children.values()].map((record) => {
      const childDef = findChildType(record.type);
      return {
        tag: childDef?.child.tag ?? '',
        name: childOwnName(file.def, record.fullName),
        fragment: childFragment(record, fileName),
      };
    });
    files.set(prefix + fileName, Buffer.from(composeFile(file.def, parentXml, children)));
  }

  if (files.size + 1 > limits.maxFiles) return retrieveLimitErrors.tooManyFiles(limits);
  files.set(manifestName, Buffer.from(renderPackageManifest(retrieved, request.apiVersion)));
  const zipFile = writeZip([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  if (zipFile.length > limits.maxZipBytes) return retrieveLimitErrors.zipTooLarge(limits);
  props.push(manifestProperties(manifestName));
  return { zipFile, fileProperties: props, messages };
}
