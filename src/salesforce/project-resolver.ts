import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { ResolvedComponent } from './component.types.js';
import { metadataFilesToSource } from './metadata-to-source.js';
import { MalformedXmlError, ProjectFormatError, UnclaimedFilesError } from './project.errors.js';
import { assertWellFormed, listFiles, readFiles, resolveSourceComponents, toPosixRelative } from './source-tree.js';

export interface ResolvedProject {
  format: 'source' | 'metadata';
  apiVersion?: string;
  /** Sorted by type then full name; source format, paths relative to the project root. */
  components: ResolvedComponent[];
}

/**
 * Resolves an extracted upload. An `sfdx-project.json` at the root means SFDX source format (every package
 * directory is resolved); otherwise a `package.xml` at the root or in its only folder means metadata format, which
 * is converted to source format first. Throws UnclaimedFilesError, MalformedXmlError or ProjectFormatError (all 400).
 * `files`, when given, holds every file under `dir` (posix paths relative to it, as `extractUpload` returns them):
 * their contents are taken from it instead of being read from disk, where only the folders and the files
 * `readFromDisk` names need to be.
 */
export async function resolveProject(dir: string, files?: ReadonlyMap<string, Buffer>): Promise<ResolvedProject> {
  if (await isFile(join(dir, 'sfdx-project.json'))) return resolveSourceProject(dir, files);
  const mdRoot = await findPackageRoot(dir);
  if (mdRoot !== undefined) return resolveMetadataPackage(join(dir, mdRoot), files && filesUnder(files, mdRoot));
  throw new ProjectFormatError(
    'The upload has neither sfdx-project.json nor package.xml at its root: zip an SFDX project (with sfdx-project.json) or a metadata-format package (with package.xml).',
  );
}

/** The `packageDirectories` paths of an sfdx-project.json, checked to stay inside the project. */
export function readPackageDirectories(projectJson: string): { packageDirs: string[]; apiVersion?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(projectJson);
  } catch (err) {
    throw new ProjectFormatError(
      `sfdx-project.json is not valid JSON (${(err as Error).message}): fix it and upload again.`,
    );
  }
  const dirs = (parsed as { packageDirectories?: unknown }).packageDirectories;
  if (!Array.isArray(dirs) || dirs.length === 0) {
    throw new ProjectFormatError(
      'sfdx-project.json lists no packageDirectories: add at least one, e.g. {"path": "force-app", "default": true}.',
    );
  }
  const packageDirs = dirs.map((d: unknown) => {
    const path = typeof d === 'object' && d !== null ? (d as { path?: unknown }).path : undefined;
    if (typeof path !== 'string' || path.trim() === '')
      throw new ProjectFormatError('Every packageDirectories entry in sfdx-project.json needs a "path".');
    const clean = path.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
    if (clean.startsWith('/') || /^[a-zA-Z]:/.test(clean) || clean.split('/').includes('..')) {
      throw new ProjectFormatError(`The package directory "${path}" points outside the project: use a path inside it.`);
    }
    return clean === '' ? '.' : clean;
  });
  const version = (parsed as { sourceApiVersion?: unknown }).sourceApiVersion;
  return { packageDirs: [...new Set(packageDirs)], ...(typeof version === 'string' ? { apiVersion: version } : {}) };
}

/** The files of `files` inside any of `folders` (posix, relative; '' is the root), sorted by path. */
export function filesIn(files: ReadonlyMap<string, Buffer>, folders: string[]): Map<string, Buffer> {
  const inside = (p: string) => folders.some((f) => f === '' || p.startsWith(`${f}/`));
  return new Map(
    [...files.keys()]
      .filter(inside)
      .sort()
      .map((p) => [p, files.get(p)!]),
  );
}

/** The files of `files` inside `folder` ('' is the root), keyed relative to it, sorted by path. */
export function filesUnder(files: ReadonlyMap<string, Buffer>, folder: string): Map<string, Buffer> {
  const prefix = folder === '' ? '' : `${folder}/`;
  return new Map([...filesIn(files, [folder])].map(([p, content]) => [p.slice(prefix.length), content]));
}

/**
 * The files `resolveProject` reads from disk when it is given the others in memory: the manifests that say which
 * format a project is in and where its package directories are, and `.forceignore` (SDR looks it up there). Every
 * folder must exist on disk too.
 */
export function readFromDisk(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name === 'sfdx-project.json' || name === 'package.xml' || name === '.forceignore';
}

async function resolveSourceProject(dir: string, given?: ReadonlyMap<string, Buffer>): Promise<ResolvedProject> {
  const { packageDirs, apiVersion } = readPackageDirectories(await readFile(join(dir, 'sfdx-project.json'), 'utf8'));
  const existing: string[] = [];
  for (const p of packageDirs) {
    if (await isDirectory(join(dir, ...p.split('/')))) existing.push(p);
  }
  if (existing.length === 0) {
    throw new ProjectFormatError(
      `None of the package directories (${packageDirs.join(', ')}) exists in the upload: include them in the zip.`,
    );
  }
  // nested package directories (force-app and force-app/sub) would list files twice
  const roots = existing.filter((p) => !existing.some((q) => q !== p && (q === '.' || p.startsWith(`${q}/`))));
  const files = given
    ? filesIn(
        given,
        roots.map((p) => toPosixRelative(dir, join(dir, ...p.split('/')))),
      )
    : await readFiles(
        dir,
        [...new Set((await Promise.all(roots.map((p) => listFiles(dir, join(dir, ...p.split('/')))))).flat())].sort(),
      );
  assertWellFormed(files);
  const { components, unclaimed } = resolveSourceComponents(dir, roots, files);
  if (unclaimed.length) throw new UnclaimedFilesError(unclaimed);
  return { format: 'source', ...(apiVersion ? { apiVersion } : {}), components };
}

async function resolveMetadataPackage(root: string, given?: Map<string, Buffer>): Promise<ResolvedProject> {
  const files = given ?? (await readFiles(root, await listFiles(root)));
  const apiVersion = packageXmlVersion(files.get('package.xml')!);
  const { components, unclaimed } = await metadataFilesToSource(files);
  if (unclaimed.length) throw new UnclaimedFilesError(unclaimed);
  return { format: 'metadata', ...(apiVersion ? { apiVersion } : {}), components };
}

/** `''` for the root, the folder name when package.xml sits in the only folder, otherwise undefined. */
async function findPackageRoot(dir: string): Promise<string | undefined> {
  if (await isFile(join(dir, 'package.xml'))) return '';
  const entries = (await readdir(dir, { withFileTypes: true })).filter(
    (e) => !e.name.startsWith('.') && e.name !== '__MACOSX',
  );
  const folders = entries.filter((e) => e.isDirectory());
  if (folders.length === 1 && (await isFile(join(dir, folders[0]!.name, 'package.xml')))) return folders[0]!.name;
  return undefined;
}

/** The `<version>` of a package.xml, if any. */
export function packageXmlVersion(xml: Buffer): string | undefined {
  let parsed: { Package?: { version?: unknown } };
  try {
    parsed = new XMLParser({ parseTagValue: false }).parse(xml.toString('utf8'), true) as typeof parsed;
  } catch (err) {
    throw new MalformedXmlError('package.xml', (err as Error).message);
  }
  const version = parsed.Package?.version;
  return typeof version === 'string' ? version.trim() : undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
