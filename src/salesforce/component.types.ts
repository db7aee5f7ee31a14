import type { DeflatedContent } from '../common/deflated.js';

/** A metadata member as the Metadata API names it: `ApexClass` `InvoiceService`, `CustomField` `Invoice__c.Amount__c`. */
export interface MemberRef {
  type: string;
  fullName: string;
}

/** One file of a component, in SFDX source format, path relative to the project root with posix separators. */
export interface ComponentFile {
  path: string;
  content: Buffer;
}

/**
 * A component in Backtrack's canonical representation (SFDX source format). Decomposed children
 * (`CustomField`, `ValidationRule`, `ListView`, …) are components of their own with `parent` set; a parent's
 * `files` are only its own files (e.g. `Obj__c.object-meta.xml`). Bundles (LWC, Aura) carry every bundle file.
 */
export interface ResolvedComponent {
  type: string;
  fullName: string;
  parent?: MemberRef;
  files: ComponentFile[];
}

/**
 * A component whose files are known by address and held as the blob store keeps them: a verified deflate stream, or
 * the content for a blob not stored deflated (`BlobStore.getDeflatedMany`). What a deploy zip takes of thousands of
 * components without holding their contents.
 */
export interface PackedComponent extends MemberRef {
  parent?: MemberRef;
  files: PackedFile[];
}

export interface PackedFile {
  path: string;
  sha256: string;
  body: DeflatedContent | Buffer;
}

/** `Type:FullName`, the key Backtrack uses for maps and logs. */
export function memberKey(ref: MemberRef): string {
  return `${ref.type}:${ref.fullName}`;
}

/** Sorts by type, then full name (code-unit order, stable across locales). */
export function compareMembers(a: MemberRef, b: MemberRef): number {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  if (a.fullName !== b.fullName) return a.fullName < b.fullName ? -1 : 1;
  return 0;
}
