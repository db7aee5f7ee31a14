import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ComponentSet, ForceIgnore, type SourceComponent } from '@salesforce/source-deploy-retrieve';
import { XMLValidator } from 'fast-xml-parser';
import { compareMembers, memberKey, type ComponentFile, type ResolvedComponent } from './component.types.js';
import { MalformedXmlError, ProjectFormatError } from './project.errors.js';
import { StreamingVirtualTree } from './virtual-tree.js';

/** Posix path of `abs` relative to `root`. */
export function toPosixRelative(root: string, abs: string): string {
  return relative(root, abs).split(sep).join('/');
}

/** Every regular file under `dir` (recursive), as posix paths relative to `root`. Symlinks are not followed. */
export async function listFiles(root: string, dir: string = root): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true });
    await Promise.all(
      entries.map(async (e) => {
        const abs = join(current, e.name);
        if (e.isDirectory()) await walk(abs);
        else if (e.isFile()) out.push(toPosixRelative(root, abs));
      }),
    );
  };
  await walk(dir);
  return out.sort();
}

/** Reads files (relative to root) with bounded concurrency. */
export async function readFiles(root: string, paths: string[], concurrency = 64): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const p = paths[next++]!;
      out.set(p, await readFile(join(root, ...p.split('/'))));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, worker));
  return out;
}

/** Files that are never metadata and never reported as unclaimed: docs, dotfiles, LWC tests, editor config. */
export function isIgnorableFile(path: string): boolean {
  const segments = path.split('/');
  const base = segments[segments.length - 1]!;
  if (segments.some((s) => s.startsWith('.'))) return true;
  if (segments.includes('__tests__') || segments.includes('__mocks__')) return true;
  if (/\.md$/i.test(base) || /^(readme|license|licence|changelog)(\..*)?$/i.test(base)) return true;
  return (
    ['jsconfig.json', 'tsconfig.json', '.eslintrc.json', 'package.xml'].includes(base) &&
    !path.includes('/staticresources/')
  );
}

/** Whether a file is metadata XML that must parse (source format `*-meta.xml`, metadata-format XML files). */
export function isMetadataXml(path: string, content: Buffer): boolean {
  if (path.endsWith('-meta.xml')) return true;
  if (/(^|\/)(staticresources|documents|contentassets|lwc|aura|experiences|waveTemplates)\//.test(path)) return false;
  return path.endsWith('.xml') || startsWithXmlDeclaration(content);
}

function startsWithXmlDeclaration(content: Buffer): boolean {
  let i = 0;
  if (content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf) i = 3;
  while (
    i < content.length &&
    (content[i] === 0x20 || content[i] === 0x0a || content[i] === 0x0d || content[i] === 0x09)
  )
    i++;
  return content.subarray(i, i + 5).toString('latin1') === '<?xml';
}

/**
 * Throws MalformedXmlError naming the first file that does not parse. `known`: files already known to be well-formed
 * (read by a scan that accepts well-formed XML only), not parsed again.
 */
export function assertWellFormed(files: Map<string, Buffer>, known?: ReadonlySet<string>): void {
  for (const [path, content] of files) {
    if (known?.has(path) || !isMetadataXml(path, content)) continue;
    const result = XMLValidator.validate(content.toString('utf8'));
    if (result !== true) throw new MalformedXmlError(path, result.err.msg, result.err.line);
  }
}

export interface SourceTreeResolution {
  components: ResolvedComponent[];
  /** Files under the package directories that no component claims (ignorable files excluded). */
  unclaimed: string[];
}

/**
 * Resolves an SFDX source-format tree with SDR, from the files in memory. Decomposed children become components of
 * their own; a parent keeps only its own files. Children Salesforce cannot address alone (`isAddressable: false` in SDR's
 * registry, e.g. CustomFieldTranslation) stay files of their parent: no package.xml may list them.
 * `files` must hold every file under the package directories (relative to root).
 */
export function resolveSourceComponents(
  root: string,
  packageDirs: string[],
  files: Map<string, Buffer>,
): SourceTreeResolution {
  // SDR reads the files from memory, at the paths they would have on disk under root; it looks .forceignore up on
  // disk, from each package directory upwards
  const tree = new StreamingVirtualTree(files, root);
  const fsPaths = packageDirs.map((d) => join(root, ...d.split('/'))).filter((p) => tree.exists(p));
  let sourceComponents: SourceComponent[];
  try {
    sourceComponents = fsPaths.length ? ComponentSet.fromSource({ fsPaths, tree }).getSourceComponents().toArray() : [];
  } catch (err) {
    throw new ProjectFormatError(`The project cannot be resolved: ${describeSdrError(err, root)}`);
  }
  const components: ResolvedComponent[] = [];
  const claimed = new Set<string>();
  const seen = new Map<string, string>();
  const rel = (abs: string): string => toPosixRelative(root, abs);
  const filesOf = (paths: string[]): ComponentFile[] =>
    [...new Set(paths)].sort().map((p) => {
      const content = files.get(p);
      if (!content) throw new ProjectFormatError(`${p} belongs to a component but could not be read.`);
      claimed.add(p);
      return { path: p, content };
    });
  const add = (component: ResolvedComponent, origin: string): void => {
    const key = memberKey(component);
    const previous = seen.get(key);
    if (previous) {
      throw new ProjectFormatError(`${key} is defined twice (${previous} and ${origin}): keep one of them.`, {
        component: key,
      });
    }
    seen.set(key, origin);
    components.push(component);
  };
  for (const c of sourceComponents) {
    let children: SourceComponent[] = [];
    try {
      children = c.getChildren().filter((ch) => ch.xml && ch.xml !== c.xml && ch.type.isAddressable !== false);
    } catch (err) {
      throw new ProjectFormatError(
        `The children of ${c.type.name} ${c.fullName} cannot be resolved: ${describeSdrError(err, root)}`,
      );
    }
    const childFiles = new Set<string>();
    for (const ch of children) {
      const own = [ch.xml!, ...ch.walkContent()].map(rel);
      own.forEach((p) => childFiles.add(p));
      add(
        {
          type: ch.type.name,
          fullName: ch.fullName,
          parent: { type: c.type.name, fullName: c.fullName },
          files: filesOf(own),
        },
        own[0]!,
      );
    }
    const own = [...(c.xml ? [c.xml] : []), ...c.walkContent()].map(rel).filter((p) => !childFiles.has(p));
    add({ type: c.type.name, fullName: c.fullName, files: filesOf(own) }, own[0] ?? c.fullName);
  }
  const unclaimed = [...files.keys()].filter((p) => !claimed.has(p) && !isIgnorableFile(p));
  const forceIgnore = ForceIgnore.findAndCreate(root);
  return {
    components: components.sort(compareMembers),
    unclaimed: unclaimed.filter((p) => forceIgnore.accepts(join(root, ...p.split('/')))).sort(),
  };
}

/** SDR errors carry absolute paths and multi-line texts: make them one line relative to the project. */
export function describeSdrError(err: unknown, root: string): string {
  const message = err instanceof Error ? err.message : String(err);
  return message
    .split(root + sep)
    .join('')
    .split(root)
    .join('')
    .replace(/\\n|\n/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
