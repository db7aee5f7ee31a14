// Profiles and permission sets in a backup: Salesforce returns only the elements about the other components of the
// same retrieve, so a profile is read together with the deploy's components and what its deployed file refers to,
// and compared element by element on the elements the deploy touched.
import { sha256 } from '../common/hash.js';
import {
  elementContent,
  elementId,
  elementLabel,
  elementSubjects,
  isProfileLike,
  mergeProfiles,
  parseElementLabel,
  parseProfile,
  renderProfile,
  type ProfileDocument,
} from '../common/profile-xml.js';
import type { ComponentFile, MemberRef } from '../salesforce/component.types.js';
import { fingerprintComponent } from '../salesforce/fingerprint.js';
import { componentKey } from '../salesforce/component-key.js';
import type { SnapshotComponentDetails } from './snapshot-component.entity.js';

/** What a backup records of a profile or permission set (`details.profile` of its snapshot row). */
export interface ProfileBackupDetails {
  /** The elements the backup holds (`fieldPermissions Account.Tier__c`, `custom`…). */
  elements: string[];
  /** The elements the deploy's file holds: what the deploy may change, and what drift and verification compare. */
  touched: string[];
  /** The components the profile was retrieved with; drift checks and verification read it with the same. */
  retrievedWith: MemberRef[];
  /**
   * `touchedFingerprint` of the backup (null when the org had no such profile): what "not applied" looks like when the
   * answer to the deploy's submission was lost and the org is read to learn the outcome. Absent in older backups.
   */
  touchedBefore?: string | null;
}

/** What the backup recorded of a profile or permission set (`details.profile`); undefined for older backups. */
export function profileDetailsOf(
  details: SnapshotComponentDetails | null | undefined,
): ProfileBackupDetails | undefined {
  const profile = details?.['profile'] as ProfileBackupDetails | undefined;
  return profile && Array.isArray(profile.touched) && Array.isArray(profile.retrievedWith) ? profile : undefined;
}

/** Companions as retrieve targets: each counts one file of unknown size (they are read, not stored). */
export function companionTargets(refs: readonly MemberRef[]): { ref: MemberRef; fileCount: number; bytes: number }[] {
  return refs.map((ref) => ({ ref: { type: ref.type, fullName: ref.fullName }, fileCount: 1, bytes: 0 }));
}

/**
 * How a live read (drift check, verification, a lost deploy's org check) treats the backed-up profiles among its
 * rows: each is read with the components its backup was read with (`companions`) and fingerprinted on the elements
 * the deploy touched; every other component on its whole files. Rows without `details.profile` are whole files.
 */
export function profileLiveRead(
  rows: Iterable<{ type: string; fullName: string; details: SnapshotComponentDetails | null }>,
) {
  const profiles = new Map<string, ProfileBackupDetails>();
  for (const row of rows) {
    const details = profileDetailsOf(row.details);
    if (details) profiles.set(componentKey(row), details);
  }
  return {
    companions: companionTargets([...profiles.values()].flatMap((d) => d.retrievedWith)),
    /** The profile's XML when `found` is a backed-up profile (what element-wise verification compares). */
    xml: (found: { type: string; fullName: string; files: readonly ComponentFile[] }): string | undefined =>
      profiles.has(componentKey(found)) ? profileXml(found.files) : undefined,
    fingerprint: (found: { type: string; fullName: string; files: readonly ComponentFile[] }): string | null => {
      const details = profiles.get(componentKey(found));
      return details ? touchedFingerprint(profileXml(found.files), details.touched) : fingerprintComponent(found.files);
    },
  };
}

/** The profile's XML file among a component's files (metadata `profiles/A.profile` or source `…-meta.xml`). */
export function profileXml(files: readonly Pick<ComponentFile, 'content'>[]): string | undefined {
  return files[0]?.content.toString('utf8');
}

function documentOrUndefined(xml: string | undefined): ProfileDocument | undefined {
  if (xml === undefined) return undefined;
  try {
    return parseProfile(xml);
  } catch {
    return undefined;
  }
}

/**
 * What each profile of a deploy is retrieved with: every other component of the deploy, and the component each
 * element of the deployed files is first about (a field's permissions: the CustomField) when the deploy lacks it.
 */
export function profileCompanions(
  deployed: readonly MemberRef[],
  profileFiles: readonly (string | undefined)[],
): MemberRef[] {
  const out = new Map<string, MemberRef>();
  for (const ref of deployed) if (!isProfileLike(ref.type)) out.set(componentKey(ref), ref);
  for (const xml of profileFiles) {
    for (const e of documentOrUndefined(xml)?.elements ?? []) {
      const subject = elementSubjects(e)[0];
      if (subject && !out.has(componentKey(subject))) out.set(componentKey(subject), { ...subject });
    }
  }
  return [...out.values()];
}

export function profileBackupDetails(
  backedUp: string | undefined,
  deployed: string | undefined,
  retrievedWith: MemberRef[],
): ProfileBackupDetails {
  const touched = (documentOrUndefined(deployed)?.elements ?? []).map(elementLabel);
  return {
    elements: (documentOrUndefined(backedUp)?.elements ?? []).map(elementLabel),
    touched,
    retrievedWith,
    touchedBefore: touchedFingerprint(backedUp, touched),
  };
}

/**
 * A fingerprint of what a profile says on the touched elements only (by content, not layout; an absent element
 * counts): equal for the deployed file and an org holding it, whatever else the org's profile holds.
 */
export function touchedFingerprint(xml: string | undefined, touched: readonly string[]): string | null {
  const doc = documentOrUndefined(xml);
  if (!doc) return null;
  const byLabel = new Map(doc.elements.map((e) => [elementId(e), e]));
  const lines = touched.map((label) => {
    const id = elementId(parseElementLabel(label));
    const e = byLabel.get(id);
    return `${id}\u0001${e ? elementContent(e) : '\u0002absent'}`;
  });
  return sha256([...new Set(lines)].sort().join('\u0003'));
}

/**
 * One profile read in several retrieves (each with part of the deploy's components) as one file: the union of
 * their elements. One read is kept byte for byte.
 */
export function mergeProfileReads(reads: readonly ComponentFile[][]): ComponentFile[] {
  if (reads.length <= 1) return reads[0] ?? [];
  const [first, ...rest] = reads as [ComponentFile[], ...ComponentFile[][]];
  return first.map((file) => {
    const docs = [file, ...rest.map((r) => r.find((f) => f.path === file.path))].map((f) =>
      documentOrUndefined(f?.content.toString('utf8')),
    );
    if (docs.some((d) => !d)) return file;
    const merged = (docs as ProfileDocument[]).reduce((a, b) => mergeProfiles(a, b));
    return { path: file.path, content: Buffer.from(renderProfile(merged)) };
  });
}
