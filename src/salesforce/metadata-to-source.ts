import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ComponentSet, MetadataConverter } from '@salesforce/source-deploy-retrieve';
import { compareMembers, type ResolvedComponent } from './component.types.js';
import { splitObjectMetadataFiles } from './custom-object.js';
import { DEFAULT_SOURCE_ROOT, splitFastMetadataFiles } from './fast-path.js';
import { ProjectFormatError } from './project.errors.js';
import {
  assertWellFormed,
  describeSdrError,
  isIgnorableFile,
  listFiles,
  readFiles,
  resolveSourceComponents,
  toPosixRelative,
} from './source-tree.js';

export interface MetadataConversion {
  components: ResolvedComponent[];
  /** Metadata-format files (relative to the package root) that no component claims. */
  unclaimed: string[];
}

/** Concurrent SDR conversions of one tree (distinct components write distinct files). */
const CONVERT_PARALLELISM = 4;

const MANIFESTS = /^(package|destructiveChanges|destructiveChangesPre|destructiveChangesPost)\.xml$/;

/**
 * Converts a metadata-format tree (paths relative to the package root, `package.xml` optional) into source-format
 * components under `force-app/main/default`. Fast types are mapped directly and CustomObject files are decomposed
 * in memory (`custom-object.ts`); the rest is written to a temporary
 * folder and converted with SDR's MetadataConverter (ZipTreeContainer cannot read decomposed children, so a real
 * folder is used). `fast: false` sends everything through SDR (used by the spec proving both paths agree).
 */
export async function metadataFilesToSource(
  files: Map<string, Buffer>,
  options: { fast?: boolean } = {},
): Promise<MetadataConversion> {
  const content = new Map([...files].filter(([p]) => !MANIFESTS.test(p) && !isIgnorableFile(p)));
  let components: ResolvedComponent[] = [];
  let rest = content;
  // Every file is checked well-formed before any result is used, the first bad one named as before; an object file
  // the scan decomposed is well-formed by the form it reads (object-scan.ts) and is not parsed again.
  let fast: ReturnType<typeof splitFast> | undefined;
  let failure: Error | undefined;
  try {
    if (options.fast !== false) fast = splitFast(content);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  }
  assertWellFormed(files, fast?.scanned);
  if (failure) throw failure;
  if (fast) ({ components, rest } = fast);
  if (rest.size === 0) return { components, unclaimed: [] };

  const work = await mkdtemp(join(tmpdir(), 'bt-md2src-'));
  try {
    const mdRoot = join(work, 'md');
    await mkdir(mdRoot);
    const dirs = new Set<string>();
    for (const p of rest.keys()) dirs.add(dirname(join(mdRoot, ...p.split('/'))));
    await Promise.all([...dirs].map((d) => mkdir(d, { recursive: true })));
    await writeAll(mdRoot, rest);

    let cs: ComponentSet;
    const claimed = new Set<string>();
    try {
      cs = ComponentSet.fromSource(mdRoot);
      for (const c of cs.getSourceComponents()) {
        for (const p of [...(c.xml ? [c.xml] : []), ...c.walkContent()]) claimed.add(toPosixRelative(mdRoot, p));
      }
    } catch (err) {
      throw new ProjectFormatError(`The metadata package cannot be resolved: ${describeSdrError(err, mdRoot)}`);
    }
    const unclaimed = [...rest.keys()].filter((p) => !claimed.has(p)).sort();

    const srcRoot = join(work, 'src');
    const packageDir = DEFAULT_SOURCE_ROOT.split('/')[0]!;
    // SDR's NonDecompositionFinalizer (CustomLabels, …) asks SfProject for the package directories of the output
    // folder: without an sfdx-project.json above it, converting a labels file throws.
    await mkdir(srcRoot);
    await writeFile(join(srcRoot, 'sfdx-project.json'), sfdxProjectJson(packageDir));
    try {
      // SDR writes file by file through streams and spends most of its time waiting: convert batches side by side
      const all = cs.getSourceComponents().toArray();
      const size = Math.max(1, Math.ceil(all.length / CONVERT_PARALLELISM));
      const batches = Array.from({ length: Math.ceil(all.length / size) }, (_, i) =>
        all.slice(i * size, (i + 1) * size),
      );
      // Every batch is awaited before the first failure is thrown: the work folder is removed only once nothing
      // writes into it any more, so the real error surfaces (not ENOTEMPTY from the cleanup).
      await settleAll(
        batches.map((batch) =>
          new MetadataConverter().convert(batch, 'source', {
            type: 'directory',
            outputDirectory: join(srcRoot, packageDir),
            genUniqueDir: false,
          }),
        ),
      );
    } catch (err) {
      throw new ProjectFormatError(
        `The metadata package cannot be converted to source format: ${describeSdrError(err, mdRoot)}`,
      );
    }
    const converted = await readFiles(
      srcRoot,
      (await listFiles(srcRoot)).filter((p) => p !== 'sfdx-project.json'),
    );
    const resolved = resolveSourceComponents(srcRoot, [packageDir], converted);
    return { components: [...components, ...resolved.components].sort(compareMembers), unclaimed };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Fast types by their paths, objects decomposed in memory; `rest` for SDR, `scanned` as `splitObjectMetadataFiles`. */
function splitFast(content: Map<string, Buffer>): {
  components: ResolvedComponent[];
  rest: Map<string, Buffer>;
  scanned: Set<string>;
} {
  const byPath = splitFastMetadataFiles(content);
  const objects = splitObjectMetadataFiles(byPath.rest, DEFAULT_SOURCE_ROOT);
  return {
    components: [...byPath.components, ...objects.components].sort(compareMembers),
    rest: objects.rest,
    scanned: objects.scanned,
  };
}

/** A minimal project file naming one package directory (what SfProject needs to resolve a folder). */
export function sfdxProjectJson(packageDir: string): string {
  return JSON.stringify({ packageDirectories: [{ path: packageDir, default: true }], sourceApiVersion: '60.0' });
}

/** Waits for every promise, then throws the first rejection (if any). */
export async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

async function writeAll(root: string, files: Map<string, Buffer>, concurrency = 64): Promise<void> {
  const entries = [...files];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const [p, content] = entries[next++]!;
      await writeFile(join(root, ...p.split('/')), content);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));
}
