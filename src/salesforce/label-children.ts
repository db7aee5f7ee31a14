import { XMLParser } from 'fast-xml-parser';
import type { ComponentFile, MemberRef } from './component.types.js';

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'labels' });

/** The full names of the labels a CustomLabels file holds (empty when it does not parse). */
export function labelNames(files: ReadonlyArray<ComponentFile>): string[] {
  const names: string[] = [];
  for (const f of files) {
    try {
      const doc = parser.parse(f.content.toString('utf8')) as { CustomLabels?: { labels?: { fullName?: unknown }[] } };
      for (const l of doc.CustomLabels?.labels ?? []) if (typeof l.fullName === 'string') names.push(l.fullName.trim());
    } catch {
      /* not XML: no labels */
    }
  }
  return names;
}

/**
 * The labels a deploy added to a CustomLabels file that held `before`: restoring the old file does not remove
 * them (Salesforce upserts the labels a file holds and leaves the others), so a restore deletes them as
 * `CustomLabel` members. Names compare case-insensitively, as Salesforce's do.
 */
export function labelsAddedBy(before: ReadonlyArray<ComponentFile>, after: ReadonlyArray<ComponentFile>): MemberRef[] {
  const had = new Set(labelNames(before).map((n) => n.toLowerCase()));
  return labelNames(after)
    .filter((n) => !had.has(n.toLowerCase()))
    .map((fullName) => ({ type: 'CustomLabel', fullName }));
}
