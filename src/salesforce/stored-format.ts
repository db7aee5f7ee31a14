import { registry, type MetadataType } from '@salesforce/source-deploy-retrieve';

/**
 * How a backup stores a component (docs/adr/0007-exact-restore-metadata-format-backups.md):
 * - `metadata`: the files exactly as Salesforce returned them in the retrieve (metadata format, package-relative
 *   paths such as `staticresources/Logo.resource`). Restores deploy these bytes unchanged.
 * - `source`: the SFDX source-format files SDR makes of them. Only for types whose members share one file in
 *   metadata format (a CustomField inside `objects/Obj__c.object`, a CustomLabel inside `CustomLabels.labels`,
 *   their parents): those have no bytes of their own, so their canonical form is the decomposed source file.
 */
export type StoredFormat = 'metadata' | 'source';

const TOP_LEVEL = new Map<string, MetadataType>(Object.values(registry.types).map((t) => [t.name, t]));
const CHILD_TYPES = new Set<string>(
  Object.values(registry.types).flatMap((t) => Object.values(t.children?.types ?? {}).map((c) => c.name)),
);

/** The stored format of a type's members: `source` for types with children and for child types, else `metadata`. */
export function storedFormatOf(type: string): StoredFormat {
  const top = TOP_LEVEL.get(type);
  if (top) return top.children ? 'source' : 'metadata';
  return CHILD_TYPES.has(type) ? 'source' : 'metadata';
}
