// Maps the files of a metadata-format package onto components.
import { findTypeByDirectory, primaryFileName, type MetadataTypeDef } from './metadata-types.js';

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

type Placement = { readonly def: MetadataTypeDef; readonly fullName: string } | { readonly problem: string; readonly def?: MetadataTypeDef };

/** Which component a path belongs to, or why it belongs to none. */
function placeFile(path: string): Placement {
  const slash = path.indexOf('/');
  if (slash < 0) return { problem: `File ${path} is not inside a metadata folder` };
  const folder = path.slice(0, slash);
  const rest = path.slice(slash + 1);
  const def = findTypeByDirectory(folder);
  if (!def) return { problem: `Unknown metadata folder '${folder}' (file ${path})` };
  if (def.bundle) {
    const inner = rest.indexOf('/');
    return inner > 0 ? { def, fullName: rest.slice(0, inner) } : { def, problem: `File ${path} must be inside a ${def.name} folder` };
  }
  if (rest.includes('/')) return { def, problem: `Unexpected subfolder in ${path}` };
  const suffix = `.${def.suffix}`;
  if (def.metaFile && rest.endsWith(suffix + META_SUFFIX)) return { def, fullName: rest.slice(0, -(suffix + META_SUFFIX).length) };
  if (rest.endsWith(suffix) && rest.length > suffix.length) return { def, fullName: rest.slice(0, -suffix.length) };
  return { def, problem: `File ${path} does not end with ${suffix}${def.metaFile ? ` or ${suffix}${META_SUFFIX}` : ''}` };
}

function missingFiles(group: Group): string[] {
  if (!group.def.metaFile) return [];
  const main = primaryFileName(group.def, group.fullName);
  return [main, main + META_SUFFIX].filter((path) => !group.files.has(path));
}

export function resolveComponents(files: ReadonlyMap<string, Buffer>): Resolution {
  const groups = new Map<string, Group>();
  const problems: ResolutionProblem[] = [];
  for (const [path, content] of files) {
    const placement = placeFile(path);
    if ('problem' in placement) {
      problems.push({ componentType: placement.def?.name ?? '', fullName: path, fileName: path, problem: placement.problem });
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
      problems.push({ componentType: group.def.name, fullName: group.fullName, fileName, problem: `Missing file: ${missing.join(', ')}` });
    } else {
      components.push({ type: group.def.name, fullName: group.fullName, fileName, files: group.files });
    }
  }
  return { components, problems };
}
