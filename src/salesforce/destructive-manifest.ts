import { registry } from '@salesforce/source-deploy-retrieve';
import { XMLParser } from 'fast-xml-parser';
import { memberKey, type MemberRef } from './component.types.js';
import { componentKey } from './component-key.js';
import { parentTypeOf } from './limits.js';
import { MalformedXmlError, ProjectFormatError } from './project.errors.js';

/** The three delete manifests the Metadata API reads beside package.xml. */
export const DESTRUCTIVE_MANIFESTS = [
  'destructiveChanges.xml',
  'destructiveChangesPre.xml',
  'destructiveChangesPost.xml',
] as const;
export type DestructiveManifestName = (typeof DESTRUCTIVE_MANIFESTS)[number];

/**
 * Where a source-format upload keeps its delete manifests, relative to the project root (beside sfdx-project.json):
 * the root itself or `manifest/`, where `sf project generate manifest` writes package.xml and where
 * `sf project deploy start --pre-destructive-changes manifest/destructiveChangesPre.xml` users keep them.
 */
export const SOURCE_MANIFEST_FOLDERS = ['', 'manifest/'] as const;

/** A member a revision deletes: when (before or after the additions) and which manifest named it. */
export interface DestructiveMember extends MemberRef {
  phase: 'pre' | 'post';
  manifest: DestructiveManifestName;
}

/**
 * `destructiveChanges.xml` and `destructiveChangesPre.xml` delete before the additions (Salesforce processes a plain
 * destructiveChanges.xml first), `destructiveChangesPost.xml` after them.
 */
export function phaseOf(manifest: DestructiveManifestName): 'pre' | 'post' {
  return manifest === 'destructiveChangesPost.xml' ? 'post' : 'pre';
}

let knownTypes: Set<string> | undefined;
function isKnownType(name: string): boolean {
  if (!knownTypes) {
    knownTypes = new Set();
    for (const t of Object.values(registry.types)) {
      knownTypes.add(t.name);
      for (const child of Object.values(t.children?.types ?? {})) knownTypes.add(child.name);
    }
  }
  return knownTypes.has(name);
}

const parser = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'types' || name === 'members' });

/**
 * Reads one delete manifest (package.xml format). Refused with a sentence saying what to change: malformed XML, a
 * root other than `<Package>`, wildcards (Salesforce does not accept them in delete manifests), unknown type names,
 * empty names, and an object's child (CustomField, ValidationRule…) whose name lacks its object (`F__c`, not
 * `Account.F__c`).
 */
export function parseDestructiveManifest(file: string, xml: Buffer): MemberRef[] {
  let parsed: { Package?: { types?: { name?: unknown; members?: unknown[] }[] } | string };
  try {
    parsed = parser.parse(xml.toString('utf8'), true) as typeof parsed;
  } catch (err) {
    throw new MalformedXmlError(file, (err as Error).message);
  }
  if (parsed.Package === undefined)
    throw new ProjectFormatError(`${file} must have <Package> as its root element, like package.xml.`);
  const types = typeof parsed.Package === 'object' ? (parsed.Package.types ?? []) : [];
  const out: MemberRef[] = [];
  for (const t of types) {
    const type = typeof t.name === 'string' ? t.name.trim() : '';
    if (!type)
      throw new ProjectFormatError(
        `${file} has a <types> entry without <name>: name the metadata type, e.g. ApexClass.`,
      );
    if (!isKnownType(type))
      throw new ProjectFormatError(
        `${file} names an unknown metadata type "${type}": check the spelling (e.g. ApexClass).`,
      );
    for (const raw of t.members ?? []) {
      const fullName = typeof raw === 'string' ? raw.trim() : '';
      if (!fullName)
        throw new ProjectFormatError(`${file} has an empty <members> under ${type}: remove it or name the component.`);
      if (fullName.includes('*')) {
        throw new ProjectFormatError(
          `${file} lists "${fullName}" under ${type}: delete manifests cannot use wildcards; name each component to delete.`,
        );
      }
      if (parentTypeOf(type) === 'CustomObject' && !fullName.includes('.')) {
        throw new ProjectFormatError(
          `${file} lists ${type} "${fullName}" without its parent: write it as Parent.${fullName} (e.g. Account.${fullName}).`,
        );
      }
      out.push({ type, fullName });
    }
  }
  return out;
}

/**
 * The revision's deletions from its manifests (file name → content). A member named twice is kept once (the first
 * manifest in DESTRUCTIVE_MANIFESTS order wins). A member the revision also deploys is refused: deleting and
 * deploying the same component in one deploy leaves its result to the order Salesforce applies them in.
 */
export function destructiveChangesOf(
  manifests: Map<DestructiveManifestName, Buffer>,
  deployed: MemberRef[],
): DestructiveMember[] {
  const seen = new Set<string>();
  const out: DestructiveMember[] = [];
  for (const manifest of DESTRUCTIVE_MANIFESTS) {
    const xml = manifests.get(manifest);
    if (!xml) continue;
    for (const ref of parseDestructiveManifest(manifest, xml)) {
      const key = componentKey(ref);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ...ref, phase: phaseOf(manifest), manifest });
    }
  }
  const deployedKeys = new Set(deployed.map((d) => componentKey(d)));
  const both = out.filter((d) => deployedKeys.has(componentKey(d)));
  if (both.length) {
    throw new ProjectFormatError(
      `${both
        .map((b) => `${memberKey(b)} (${b.manifest})`)
        .slice(0, 5)
        .join(
          ', ',
        )} ${both.length === 1 ? 'is' : 'are'} both deployed and deleted by this upload: remove ${both.length === 1 ? 'it' : 'them'} from the delete manifest or from the project.`,
      { both: both.map(({ type, fullName, manifest }) => ({ type, fullName, manifest })) },
    );
  }
  return out;
}

/**
 * Where an extracted upload (file paths relative to its root) keeps its delete manifests. A source-format project
 * (sfdx-project.json at the root) keeps them at its root or in `manifest/`; a metadata-format package beside its
 * package.xml (at the root, or in the only folder holding package.xml). The same manifest in two places is refused.
 */
export function locateDestructiveManifests(files: string[]): Map<DestructiveManifestName, string> {
  const present = new Set(files);
  let folders: readonly string[];
  if (present.has('sfdx-project.json')) folders = SOURCE_MANIFEST_FOLDERS;
  else if (present.has('package.xml')) folders = [''];
  else {
    const roots = files.filter((f) => /^[^/]+\/package\.xml$/.test(f)).map((f) => f.slice(0, -'package.xml'.length));
    folders = roots.length === 1 ? roots : [];
  }
  const out = new Map<DestructiveManifestName, string>();
  for (const name of DESTRUCTIVE_MANIFESTS) {
    const found = folders.map((folder) => `${folder}${name}`).filter((p) => present.has(p));
    if (found.length > 1) throw new ProjectFormatError(`The upload holds ${found.join(' and ')}: keep one ${name}.`);
    if (found[0]) out.set(name, found[0]);
  }
  return out;
}
