// The metadata types the emulator understands, driven by SDR's registry (@salesforce/source-deploy-retrieve):
// every type SDR can convert is known with its folder, suffix, children, and the shape its files take in
// metadata format (the format of deploy and retrieve zips).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

export interface ChildTypeDef {
  /** Metadata API name of the child type, e.g. `CustomField`. */
  readonly name: string;
  /** Element that holds one child inside the parent's file, e.g. `fields`. */
  readonly tag: string;
  readonly idPrefix: string;
  /** The child's element that holds its name (`fullName` for nearly every type). */
  readonly idElement: string;
}

/**
 * How a component's files look in metadata format:
 * - `xml`: one XML file `dir/Name.suffix` (CustomObject, Layout, Flow…);
 * - `contentAndMeta`: a content file `dir/Name.suffix` and `dir/Name.suffix-meta.xml` (ApexClass, ContentAsset…);
 * - `mixed`: content of any shape (a file or a folder) plus a `-meta.xml` (StaticResource, ExperienceBundle,
 *   Document);
 * - `bundle`: a folder `dir/Name/` of files (LightningComponentBundle, AuraDefinitionBundle…);
 * - `folder`: the folder of an in-folder type, one file `dir/Name-meta.xml` (ReportFolder, EmailFolder…);
 * - `digitalExperience`: a folder `dir/site/Name/` (DigitalExperienceBundle).
 */
export type FileLayout = 'xml' | 'contentAndMeta' | 'mixed' | 'bundle' | 'folder' | 'digitalExperience';

export interface MetadataTypeDef {
  readonly name: string;
  readonly directoryName: string;
  /** File suffix without the dot; bundles have none. */
  readonly suffix?: string;
  readonly layout: FileLayout;
  /** A content file plus `<file>-meta.xml` (ApexClass, StaticResource); otherwise the main file is itself XML. */
  readonly metaFile: boolean;
  /** One folder per component holding any number of files (lwc, aura). */
  readonly bundle: boolean;
  /** Components live in folders (`reports/Folder/Name.report`); full names are `Folder/Name`. */
  readonly inFolder: boolean;
  /** For an in-folder type, the name of its folder type (`ReportFolder`). */
  readonly folderType?: string;
  /** For a folder type, the name of the type it holds (`Report`). */
  readonly folderContentType?: string;
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

/** Salesforce's real key prefixes for common types; other types get a stable made-up prefix. */
const KNOWN_PREFIXES: Readonly<Record<string, string>> = {
  ApexClass: '01p',
  ApexTrigger: '01q',
  ApexPage: '066',
  ApexComponent: '099',
  StaticResource: '081',
  CustomObject: '01I',
  CustomField: '00N',
  ValidationRule: '03d',
  RecordType: '012',
  ListView: '00B',
  BusinessProcess: '019',
  FieldSet: '0Iy',
  WebLink: '00b',
  CompactLayout: '0AH',
  CustomLabels: '101',
  CustomLabel: '101',
  LightningComponentBundle: '0Rb',
  AuraDefinitionBundle: '0Ab',
  Layout: '00h',
  Profile: '00e',
  PermissionSet: '0PS',
  PermissionSetGroup: '0PG',
  Flow: '301',
  CustomMetadata: '0Mb',
  CustomTab: '01r',
  CustomApplication: '02u',
  FlexiPage: '0M0',
  CustomPermission: '0CP',
  GlobalValueSet: '0Nt',
  RemoteSiteSetting: '0rp',
  NamedCredential: '0XA',
  QuickAction: '09D',
  Report: '00O',
  Dashboard: '01Z',
  Document: '015',
  EmailTemplate: '00X',
  ContentAsset: '068',
  LightningMessageChannel: '0Mk',
  CspTrustedSite: '08y',
  Network: '0DB',
  CustomSite: '0DM',
  ExperienceBundle: '0Hn',
  Workflow: '01Q',
  WorkflowRule: '01Q',
  WorkflowFieldUpdate: '04Y',
  WorkflowAlert: '01W',
  PlatformCachePartition: '0Er',
  DataWeaveResource: '0pI',
  Translations: '0Tr',
};

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A stable three-character prefix for a type Salesforce's real prefix is not listed for. */
export function derivedIdPrefix(typeName: string): string {
  const digest = createHash('sha256').update(typeName).digest();
  return `0${BASE62.charAt((digest[0] as number) % 62)}${BASE62.charAt((digest[1] as number) % 62)}`;
}

const prefixOf = (name: string) => KNOWN_PREFIXES[name] ?? derivedIdPrefix(name);

/** The fields of an SDR registry entry the emulator reads. */
export interface RegistryType {
  readonly id: string;
  readonly name: string;
  readonly directoryName: string;
  readonly suffix?: string;
  readonly inFolder?: boolean;
  readonly folderType?: string;
  readonly folderContentType?: string;
  readonly xmlElementName?: string;
  readonly uniqueIdElement?: string;
  readonly isAddressable?: boolean;
  readonly ignoreParentName?: boolean;
  readonly strategies?: { readonly adapter?: string; readonly transformer?: string };
  readonly children?: { readonly types: Readonly<Record<string, RegistryType>> };
}

function layoutOf(type: RegistryType): FileLayout {
  if (type.folderContentType) return 'folder';
  switch (type.strategies?.adapter) {
    case 'matchingContentFile':
      return 'contentAndMeta';
    case 'mixedContent':
      return 'mixed';
    case 'bundle':
    case 'uiBundles':
      return 'bundle';
    case 'digitalExperience':
      return 'digitalExperience';
    default:
      return 'xml';
  }
}

/** The emulator's definition of one SDR registry type; `byId` resolves folder types by registry id. */
export function typeFromRegistry(type: RegistryType, byId: (id: string) => RegistryType | undefined): MetadataTypeDef {
  const layout = layoutOf(type);
  const children =
    layout === 'xml'
      ? Object.values(type.children?.types ?? {})
          .filter((child) => child.isAddressable !== false)
          .map((child) => ({
            name: child.name,
            tag: child.xmlElementName ?? child.directoryName,
            idPrefix: prefixOf(child.name),
            idElement: child.uniqueIdElement ?? 'fullName',
          }))
      : [];
  const ignoreParentName = Object.values(type.children?.types ?? {}).some((child) => child.ignoreParentName);
  return {
    name: type.name,
    directoryName: type.directoryName,
    suffix: type.suffix,
    layout,
    metaFile: layout === 'contentAndMeta' || layout === 'mixed',
    bundle: layout === 'bundle' || layout === 'digitalExperience',
    inFolder: type.inFolder === true,
    folderType: type.folderType ? byId(type.folderType)?.name : undefined,
    folderContentType: type.folderContentType ? byId(type.folderContentType)?.name : undefined,
    children,
    qualifiedChildNames: !ignoreParentName,
    idPrefix: prefixOf(type.name),
  };
}

/**
 * SDR's `registry` export, read from its own module: importing the package index would load all of SDR
 * (about a second per process) for one JSON table. The same object as `import { registry } from
 * '@salesforce/source-deploy-retrieve'` (metadata-types.spec checks the two agree).
 */
export const SDR_REGISTRY_MODULE = '@salesforce/source-deploy-retrieve/lib/src/registry/registry.js';
const sdrRegistry = (createRequire(import.meta.url)(SDR_REGISTRY_MODULE) as { registry: { types: unknown } }).registry;
const registryTypes = sdrRegistry.types as Readonly<Record<string, RegistryType>>;

export const METADATA_TYPES: readonly MetadataTypeDef[] = Object.values(registryTypes)
  .map((type) => typeFromRegistry(type, (id) => registryTypes[id]))
  .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

const byName = new Map(METADATA_TYPES.map((t) => [t.name, t]));
const byDirectory = new Map<string, MetadataTypeDef[]>();
for (const def of METADATA_TYPES)
  byDirectory.set(def.directoryName, [...(byDirectory.get(def.directoryName) ?? []), def]);
const childByName = new Map<string, ChildTypeInfo>();
for (const parent of METADATA_TYPES) {
  for (const child of parent.children) {
    if (!byName.has(child.name) && !childByName.has(child.name)) childByName.set(child.name, { child, parent });
  }
}

export function findType(name: string): MetadataTypeDef | undefined {
  return byName.get(name);
}

/** The types whose files live in a folder (several for `reports`: Report and ReportFolder). */
export function typesInDirectory(directoryName: string): readonly MetadataTypeDef[] {
  return byDirectory.get(directoryName) ?? [];
}

/** The type a folder holds (not its folder type): `reports` → Report, `lwc` → LightningComponentBundle. */
export function findTypeByDirectory(directoryName: string): MetadataTypeDef | undefined {
  const types = typesInDirectory(directoryName);
  return types.find((t) => t.layout !== 'folder') ?? types[0];
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

/**
 * The file a component lives in, as Salesforce reports it (`classes/A.cls`, `lwc/cmp`, `objects/O.object`,
 * `reports/Folder/R.report`, `documents/Folder/logo.png`, `reports/Folder` for a folder).
 */
export function primaryFileName(def: MetadataTypeDef, fullName: string): string {
  const base = `${def.directoryName}/${fullName}`;
  if (def.bundle || def.layout === 'folder' || !def.suffix) return base;
  if (def.layout === 'mixed' && def.inFolder) return base;
  return `${base}.${def.suffix}`;
}

/** The `-meta.xml` file a component must have, or undefined when its type has none of its own. */
export function metaFileName(def: MetadataTypeDef, fullName: string): string | undefined {
  if (def.layout === 'folder') return `${def.directoryName}/${fullName}-meta.xml`;
  if (def.layout === 'contentAndMeta' || (def.layout === 'mixed' && def.suffix))
    return `${primaryFileName(def, fullName)}-meta.xml`;
  return undefined;
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

/**
 * What a manifest member names. Under an in-folder type a member without a `/` (or ending with one, as SDR
 * writes it: `Sales/`) names the folder: `Report` + `Sales/` is the ReportFolder `Sales`.
 */
export function manifestMember(typeName: string, member: string): { readonly type: string; readonly fullName: string } {
  const def = byName.get(typeName);
  if (!def?.inFolder || !def.folderType || member === '*') return { type: typeName, fullName: member };
  const trimmed = member.endsWith('/') ? member.slice(0, -1) : member;
  return trimmed.includes('/') ? { type: typeName, fullName: member } : { type: def.folderType, fullName: trimmed };
}
