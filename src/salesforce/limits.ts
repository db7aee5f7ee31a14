import { registry } from '@salesforce/source-deploy-retrieve';
import { memberKey, type MemberRef } from './component.types.js';

/** Files in one deploy or retrieve. */
export const MAX_FILES_PER_OPERATION = 10_000;
/** Zipped bytes of one deploy or retrieve (39 MB: base64 puts it just under the 50 MB SOAP message cap). */
export const MAX_ZIPPED_BYTES = 39_000_000;
/** Unzipped bytes of one deploy (older documentation says 400 MB). */
export const MAX_UNZIPPED_BYTES = 600 * 1024 * 1024;

export interface LimitViolation {
  limit: 'files' | 'zippedBytes' | 'unzippedBytes';
  /** The allowed maximum. */
  max: number;
  actual: number;
  /** A sentence for the user (the API answers 422 with it). */
  message: string;
}

/** The first Metadata API limit the deploy breaks, or null. */
export function checkDeployLimits(input: {
  fileCount: number;
  zipBytes: number;
  unzippedBytes?: number;
}): LimitViolation | null {
  if (input.fileCount > MAX_FILES_PER_OPERATION) {
    return {
      limit: 'files',
      max: MAX_FILES_PER_OPERATION,
      actual: input.fileCount,
      message: `The deploy has ${input.fileCount} files; the Metadata API accepts at most ${MAX_FILES_PER_OPERATION}. Deploy fewer components at a time.`,
    };
  }
  if (input.zipBytes > MAX_ZIPPED_BYTES) {
    return {
      limit: 'zippedBytes',
      max: MAX_ZIPPED_BYTES,
      actual: input.zipBytes,
      message: `The deploy zip is ${(input.zipBytes / 1e6).toFixed(1)} MB; the Metadata API accepts at most 39 MB. Deploy fewer components at a time.`,
    };
  }
  if (input.unzippedBytes !== undefined && input.unzippedBytes > MAX_UNZIPPED_BYTES) {
    return {
      limit: 'unzippedBytes',
      max: MAX_UNZIPPED_BYTES,
      actual: input.unzippedBytes,
      message: `The deploy unpacks to ${(input.unzippedBytes / 1048576).toFixed(0)} MB; the Metadata API accepts at most 600 MB. Deploy fewer components at a time.`,
    };
  }
  return null;
}

export interface SizedMember {
  ref: MemberRef;
  /** Files the member adds to the operation. */
  fileCount: number;
  /** Its (estimated) bytes; compare with maxBytes in the same unit (zipped or not, the caller's choice). */
  bytes: number;
  /** Its parent, if a child type; otherwise derived from the registry (`CustomField` `A__c.F__c` → `CustomObject` `A__c`). */
  parent?: MemberRef;
}

let childToParentType: Map<string, string> | undefined;

/** `CustomField` → `CustomObject`, `ValidationRule` → `CustomObject`, … from SDR's registry. */
export function parentTypeOf(type: string): string | undefined {
  if (!childToParentType) {
    childToParentType = new Map();
    for (const t of Object.values(registry.types)) {
      for (const child of Object.values(t.children?.types ?? {})) childToParentType.set(child.name, t.name);
    }
  }
  return childToParentType.get(type);
}

function groupKey(m: SizedMember): string {
  if (m.parent) return memberKey(m.parent);
  const parentType = parentTypeOf(m.ref.type);
  if (parentType && m.ref.fullName.includes('.'))
    return memberKey({ type: parentType, fullName: m.ref.fullName.split('.')[0]! });
  return memberKey(m.ref);
}

/**
 * Packs members into as few chunks as the limits need, keeping input order. A parent and its children (an object
 * and its fields) always share a chunk, so the object file of a retrieve is never split across two results. A
 * group bigger than the limits on its own gets a chunk to itself (it cannot be split further).
 */
export function chunkMembers(members: SizedMember[], limits: { maxFiles: number; maxBytes: number }): MemberRef[][] {
  const groups = new Map<string, SizedMember[]>();
  for (const m of members) {
    const key = groupKey(m);
    const list = groups.get(key) ?? [];
    list.push(m);
    groups.set(key, list);
  }
  const chunks: MemberRef[][] = [];
  let current: MemberRef[] = [];
  let files = 0;
  let bytes = 0;
  for (const group of groups.values()) {
    const gFiles = group.reduce((s, m) => s + m.fileCount, 0);
    const gBytes = group.reduce((s, m) => s + m.bytes, 0);
    if (current.length && (files + gFiles > limits.maxFiles || bytes + gBytes > limits.maxBytes)) {
      chunks.push(current);
      current = [];
      files = 0;
      bytes = 0;
    }
    current.push(...group.map((m) => m.ref));
    files += gFiles;
    bytes += gBytes;
  }
  if (current.length) chunks.push(current);
  return chunks;
}
