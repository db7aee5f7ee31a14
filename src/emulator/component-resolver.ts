// Maps the files of a metadata-format package onto components.
import {
  findTypeByDirectory,
  metaFileName,
  primaryFileName,
  typesInDirectory,
  type MetadataTypeDef,
} from './metadata-types.js';

export interface ResolvedComponent {
  readonly type: string;
  readonly fullName: string;
  /** The file Salesforce names in results (`classes/A.cls`, `lwc/cmp`). */
  readonly fileName: string;
  readonly files: ReadonlyMap<string, Buffer>;
}

/** A file or component that cannot be deployed as it stands. `componentType` is '' when no type applies. */
export interface ResolutionProblem {
  readonly componentType: string;
  readonly fullName: string;
  readonly fileName: string;
  readonly problem: string;
}

export interface Resolution {
  readonly components: ResolvedComponent[];
  readonly problems: ResolutionProblem[];
}

const META_SUFFIX = '-meta.xml';

interface Group {
  readonly def: MetadataTypeDef;
  readonly fullName: string;
  readonly files: Map<string, Buffer>;
}

export type Placement =
  | { readonly def: MetadataTypeDef; readonly fullName: string }
  | { readonly problem: string; readonly def?: MetadataTypeDef };

const outsideFolder = (def: MetadataTypeDef, path: string): Placement => ({
  def,
  problem: `File ${path} must be inside a ${def.name} folder`,
});

const badSuffix = (def: MetadataTypeDef, path: string): Placement => ({
  def,
  problem: `File ${path} does not end with .${def.suffix}${def.metaFile ? ` or .${def.suffix}${META_SUFFIX}` : ''}`,
});

const stripMeta = (name: string) => (name.endsWith(META_SUFFIX) ? name.slice(0, -META_SUFFIX.length) : name);

/** The part of `name` before its suffix `.suffix`, or undefined when it does not end so. */
function withoutSuffix(name: string, suffix: string | undefined): string | undefined {
  if (!suffix) return undefined;
  const ending = `.${suffix}`;
  return name.endsWith(ending) && name.length > ending.length ? name.slice(0, -ending.length) : undefined;
}

/** A file of an in-folder type (`reports/F/R.report`) or of its folder (`reports/F-meta.xml`). */
function placeInFolder(types: readonly MetadataTypeDef[], def: MetadataTypeDef, path: string, rest: string): Placement {
  const base = stripMeta(rest);
  const last = base.slice(base.lastIndexOf('/') + 1);
  const folderDef =
    types.find((t) => t.layout === 'folder' && t.name === def.folderType) ?? types.find((t) => t.layout === 'folder');
  if (rest.endsWith(META_SUFFIX) && !last.includes('.') && folderDef) return { def: folderDef, fullName: base };
  if (!base.includes('/')) return outsideFolder(def, path);
  if (def.layout === 'mixed') return { def, fullName: base };
  const fullName = withoutSuffix(base, def.suffix);
  if (fullName !== undefined && (def.layout === 'contentAndMeta' || base === rest)) return { def, fullName };
  return badSuffix(def, path);
}

/** Which component a path belongs to, or why it belongs to none. */
export function placeFile(path: string): Placement {
  const slash = path.indexOf('/');
  if (slash < 0) return { problem: `File ${path} is not inside a metadata folder` };
  const folder = path.slice(0, slash);
  const rest = path.slice(slash + 1);
  const types = typesInDirectory(folder);
  const def = findTypeByDirectory(folder);
  if (!def) return { problem: `Unknown metadata folder '${folder}' (file ${path})` };
  const segments = rest.split('/');
  if (def.layout === 'bundle') {
    return segments.length > 1 && segments[0] ? { def, fullName: segments[0] } : outsideFolder(def, path);
  }
  if (def.layout === 'digitalExperience') {
    return segments.length > 2 ? { def, fullName: `${segments[0]}/${segments[1]}` } : outsideFolder(def, path);
  }
  if (def.inFolder) return placeInFolder(types, def, path, rest);
  if (def.layout === 'mixed') {
    if (segments.length > 1) return { def, fullName: segments[0] as string };
    const base = stripMeta(rest);
    const dot = base.indexOf('.');
    return { def, fullName: withoutSuffix(base, def.suffix) ?? (dot > 0 ? base.slice(0, dot) : base) };
  }
  if (segments.length > 1) return { def, problem: `Unexpected subfolder in ${path}` };
  const isMeta = rest.endsWith(META_SUFFIX);
  const base = stripMeta(rest);
  const candidates = [...types]
    .filter((t) => t.layout !== 'folder')
    .sort((a, b) => (b.suffix?.length ?? 0) - (a.suffix?.length ?? 0));
  for (const candidate of candidates) {
    const fullName = withoutSuffix(base, candidate.suffix);
    if (fullName !== undefined && (!isMeta || candidate.metaFile)) return { def: candidate, fullName };
  }
  return badSuffix(def, path);
}

function missingFiles(group: Group): string[] {
  const meta = metaFileName(group.def, group.fullName);
  if (!meta) return [];
  if (group.def.layout === 'folder') return group.files.has(meta) ? [] : [meta];
  const main = primaryFileName(group.def, group.fullName);
  return [main, meta].filter((path) => !group.files.has(path));
}

export function resolveComponents(files: ReadonlyMap<string, Buffer>): Resolution {
  const groups = new Map<string, Group>();
  const problems: ResolutionProblem[] = [];
  for (const [path, content] of files) {
    const placement = placeFile(path);
    if ('problem' in placement) {
      problems.push({
        componentType: placement.def?.name ?? '',
        fullName: path,
        fileName: path,
        problem: placement.problem,
      });
      continue;
    }
    const key = `${placement.def.name}\u0000${placement.fullName}`;
    let group = groups.get(key);
    if (!group) {
      group = { def: placement.def, fullName: placement.fullName, files: new Map() };
      groups.set(key, group);
    }
    group.files.set(path, content);
  }
  const components: ResolvedComponent[] = [];
  for (const group of groups.values()) {
    const fileName = primaryFileName(group.def, group.fullName);
    const missing = missingFiles(group);
    if (missing.length > 0) {
      problems.push({
        componentType: group.def.name,
        fullName: group.fullName,
        fileName,
        problem: `Missing file: ${missing.join(', ')}`,
      });
    } else {
      components.push({ type: group.def.name, fullName: group.fullName, fileName, files: group.files });
    }
  }
  return { components, problems };
}
