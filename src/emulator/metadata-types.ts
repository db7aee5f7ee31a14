// The metadata types the emulator understands: one entry per type, so adding a type is one line.

export interface ChildTypeDef {
  /** Metadata API name of the child type, e.g. `CustomField`. */
  readonly name: string;
  /** Element that holds one child inside the parent's file, e.g. `fields`. */
  readonly tag: string;
  readonly idPrefix: string;
}

export interface MetadataTypeDef {
  readonly name: string;
  readonly directoryName: string;
  /** File suffix without the dot; bundles have none. */
  readonly suffix?: string;
  /** A content file plus `<file>-meta.xml` (ApexClass); otherwise the main file is itself XML. */
  readonly metaFile: boolean;
  /** One folder per component holding any number of files (lwc, aura). */
  readonly bundle: boolean;
  /** Children stored per child and merged back into the parent's file on retrieve. */
  readonly children: readonly ChildTypeDef[];
  /** Child full names are `Parent.Child` (CustomField) rather than just `Child` (CustomLabel). */
  readonly qualifiedChildNames: boolean;
  /** Three-character key prefix for the ids of this type's components. */
  readonly idPrefix: string;
}

export interface ChildTypeInfo {
  readonly child: ChildTypeDef;
  readonly parent: MetadataTypeDef;
}

type TypeOptions = Partial<Pick<MetadataTypeDef, 'metaFile' | 'bundle' | 'children' | 'qualifiedChildNames'>>;

function type(name: string, directoryName: string, suffix: string | undefined, idPrefix: string, options: TypeOptions = {}): MetadataTypeDef {
  return {
    name,
    directoryName,
    suffix,
    idPrefix,
    metaFile: options.metaFile ?? false,
    bundle: options.bundle ?? false,
    children: options.children ?? [],
    qualifiedChildNames: options.qualifiedChildNames ?? true,
  };
}

const withMeta = { metaFile: true } as const;

export const METADATA_TYPES: readonly MetadataTypeDef[] = [
  type('ApexClass', 'classes', 'cls', '01p', withMeta),
  type('ApexTrigger', 'triggers', 'trigger', '01q', withMeta),
  type('ApexPage', 'pages', 'page', '066', withMeta),
  type('ApexComponent', 'components', 'component', '099', withMeta),
  type('StaticResource', 'staticresources', 'resource', '081', withMeta),
  type('CustomObject', 'objects', 'object', '01I', {
    children: [
      { name: 'CustomField', tag: 'fields', idPrefix: '00N' },
      { name: 'ValidationRule', tag: 'validationRules', idPrefix: '03d' },
      { name: 'RecordType', tag: 'recordTypes', idPrefix: '012' },
      { name: 'ListView', tag: 'listViews', idPrefix: '00B' },
      { name: 'BusinessProcess', tag: 'businessProcesses', idPrefix: '019' },
      { name: 'FieldSet', tag: 'fieldSets', idPrefix: '0Iy' },
      { name: 'WebLink', tag: 'webLinks', idPrefix: '00b' },
      { name: 'CompactLayout', tag: 'compactLayouts', idPrefix: '0AH' },
    ],
  }),
  type('CustomLabels', 'labels', 'labels', '101', { children: [{ name: 'CustomLabel', tag: 'labels', idPrefix: '101' }], qualifiedChildNames: false }),
  type('LightningComponentBundle', 'lwc', undefined, '0Rb', { bundle: true }),
  type('AuraDefinitionBundle', 'aura', undefined, '0Ab', { bundle: true }),
  type('Layout', 'layouts', 'layout', '00h'),
  type('Profile', 'profiles', 'profile', '00e'),
  type('PermissionSet', 'permissionsets', 'permissionset', '0PS'),
  type('PermissionSetGroup', 'permissionsetgroups', 'permissionsetgroup', '0PG'),
  type('Flow', 'flows', 'flow', '301'),
  type('CustomMetadata', 'customMetadata', 'md', '0Mb'),
  type('CustomTab', 'tabs', 'tab', '01r'),
  type('CustomApplication', 'applications', 'app', '02u'),
  type('FlexiPage', 'flexipages', 'flexipage', '0M0'),
  type('CustomPermission', 'customPermissions', 'customPermission', '0CP'),
  type('GlobalValueSet', 'globalValueSets', 'globalValueSet', '0Nt'),
  type('RemoteSiteSetting', 'remoteSiteSettings', 'remoteSite', '0rp'),
  type('NamedCredential', 'namedCredentials', 'namedCredential', '0XA'),
  type('QuickAction', 'quickActions', 'quickAction', '09D'),
];

const byName = new Map(METADATA_TYPES.map((t) => [t.name, t]));
const byDirectory = new Map(METADATA_TYPES.map((t) => [t.directoryName, t]));
const childByName = new Map<string, ChildTypeInfo>(
  METADATA_TYPES.flatMap((parent) => parent.children.map((child) => [child.name, { child, parent }] as const)),
);

export function findType(name: string): MetadataTypeDef | undefined {
  return byName.get(name);
}

export function findTypeByDirectory(directoryName: string): MetadataTypeDef | undefined {
  return byDirectory.get(directoryName);
}

export function findChildType(name: string): ChildTypeInfo | undefined {
  return childByName.get(name);
}

export function isKnownTypeName(name: string): boolean {
  return byName.has(name) || childByName.has(name);
}

/** Key prefix for ids of a top-level or child type. */
export function idPrefixOf(typeName: string): string {
  return byName.get(typeName)?.idPrefix ?? childByName.get(typeName)?.child.idPrefix ?? '000';
}

/** Full name of a child given its parent's full name and its own `<fullName>`. */
export function childFullName(parent: MetadataTypeDef, parentFullName: string, name: string): string {
  return parent.qualifiedChildNames ? `${parentFullName}.${name}` : name;
}

/** The file a component lives in, as Salesforce reports it (`classes/A.cls`, `lwc/cmp`, `objects/O.object`). */
export function primaryFileName(def: MetadataTypeDef, fullName: string): string {
  return def.bundle ? `${def.directoryName}/${fullName}` : `${def.directoryName}/${fullName}.${def.suffix}`;
}

/** The file a stored component lives in; a child lives in its parent's file. */
export function componentFileName(ref: { readonly type: string; readonly fullName: string }): string {
  const def = byName.get(ref.type);
  if (def) return primaryFileName(def, ref.fullName);
  const child = childByName.get(ref.type);
  if (!child) return ref.fullName;
  return primaryFileName(child.parent, parentFullNameOf(child.parent, ref.fullName));
}

/** The full name of the parent holding a child (`Obj__c` for `Obj__c.F__c`, `CustomLabels` for a label). */
export function parentFullNameOf(parent: MetadataTypeDef, childFullName: string): string {
  return parent.qualifiedChildNames ? childFullName.slice(0, childFullName.indexOf('.')) : parent.name;
}

/** A child's own name inside its parent's file (`F__c` for `Obj__c.F__c`). */
export function childOwnName(parent: MetadataTypeDef, childFullName: string): string {
  return parent.qualifiedChildNames ? childFullName.slice(childFullName.indexOf('.') + 1) : childFullName;
}
