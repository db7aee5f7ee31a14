import { ComponentSet, MetadataConverter } from '@salesforce/source-deploy-retrieve';
import {
  compareMembers,
  memberKey,
  type MemberRef,
  type PackedComponent,
  type PackedFile,
  type ResolvedComponent,
} from './component.types.js';
import { composeObjectComponents, isObjectFamily } from './custom-object.js';
import { fastMetadataPaths } from './fast-path.js';
import { deletionOrder } from './deletion-order.js';
import { buildPackageXml } from './package-xml.js';
import { describeSdrError } from './source-tree.js';
import { sha256 } from '../common/hash.js';
import { readZip, writeZip, type ZipEntryInput } from '../common/zip.js';
import { StreamingVirtualTree } from './virtual-tree.js';

export interface DeployZipInput {
  /** Source-format components to deploy (a subset is fine; a child alone becomes its parent file holding only it). */
  components: ResolvedComponent[];
  /**
   * Components already in metadata format (a backup's files as the org returned them, package-relative paths):
   * put in the zip byte for byte, never converted.
   */
  exact?: ResolvedComponent[];
  /**
   * Components of fast types (`fastMetadataPaths`) whose files are given as the blob store holds them
   * (`BlobStore.getDeflatedMany`): each goes into the zip as its stored deflate stream, so a deploy of thousands of
   * Apex classes never holds their contents at once. Any other component is refused.
   */
  packed?: PackedComponent[];
  /**
   * Members to delete before (`pre`) or after (`post`) the additions, listed referrers first (deletionOrder), or in
   * the order given when `ordered` (the caller ordered them, knowing what uses what).
   */
  destructive?: { pre?: MemberRef[]; post?: MemberRef[]; ordered?: boolean };
  apiVersion: string;
  /** Deflate level, default 6. */
  compressionLevel?: number;
  /** false sends every component through SDR (for the spec proving both paths agree). */
  fast?: boolean;
}

export interface DeployZip {
  zip: Buffer;
  /** Files in the zip, manifests included (the Metadata API limit counts them all). */
  fileCount: number;
  /** The members package.xml lists (sorted). */
  members: MemberRef[];
}

/** Thrown when components cannot be turned into a deploy package (a bug or inconsistent stored data, not user input). */
export class DeployPackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployPackageError';
  }
}

/**
 * Builds a metadata-format deploy zip for `singlePackage: true`: package.xml at the root listing exactly the given
 * components, optional destructiveChangesPre/Post.xml, and the converted files. Fast types are copied by path,
 * CustomObjects and their children are recomposed in memory (`custom-object.ts`); the rest is converted by SDR
 * from an in-memory tree holding only the given files. Either way a CustomField alone becomes `objects/Obj__c.object`
 * with just that field, and a CustomObject without its fields carries none.
 */
export async function buildDeployZip(input: DeployZipInput): Promise<DeployZip> {
  const unique = new Map<string, ResolvedComponent>();
  for (const c of [...input.components, ...(input.exact ?? [])]) unique.set(memberKey(c), c);
  const exact = new Set((input.exact ?? []).map(memberKey));
  const packed = [...new Map((input.packed ?? []).map((c) => [memberKey(c), c])).values()];
  const twice = packed.find((c) => unique.has(memberKey(c)));
  if (twice) throw new DeployPackageError(`${memberKey(twice)} is given both packed and with its contents.`);
  const members: MemberRef[] = [...unique.values(), ...packed]
    .map((c) => ({ type: c.type, fullName: c.fullName }))
    .sort(compareMembers);

  const entries = new Map<string, Buffer | PackedFile>();
  const viaSdr: ResolvedComponent[] = [];
  const objectFamily: ResolvedComponent[] = [];
  for (const c of packed) {
    const mapped = fastMetadataPaths(c);
    if (!mapped) throw new DeployPackageError(`${memberKey(c)} is not of a type whose files go into a zip as stored.`);
    for (const { source, metadataPath } of mapped) addEntry(entries, metadataPath, source, c);
  }
  for (const c of unique.values()) {
    if (exact.has(memberKey(c))) {
      for (const f of c.files) addEntry(entries, f.path, f.content, c);
      continue;
    }
    if (input.fast !== false && isObjectFamily(c.type)) {
      objectFamily.push(c);
      continue;
    }
    const mapped = input.fast === false ? undefined : fastMetadataPaths(c);
    if (!mapped) {
      viaSdr.push(c);
      continue;
    }
    for (const { source, metadataPath } of mapped) addEntry(entries, metadataPath, source.content, c);
  }
  if (objectFamily.length) {
    const composed = composeObjectComponents(objectFamily);
    for (const [path, content] of composed.files) addEntry(entries, path, content);
    viaSdr.push(...composed.rest);
  }
  if (viaSdr.length) {
    const converted = await convertWithSdr(viaSdr, input.apiVersion);
    for (const path of archiveResourcePaths(viaSdr)) {
      const archive = converted.get(path);
      if (archive) converted.set(path, await rezipDeterministically(archive));
    }
    for (const [path, content] of converted) addEntry(entries, path, content);
  }

  const manifests: ZipEntryInput[] = [
    { path: 'package.xml', content: Buffer.from(buildPackageXml(members, input.apiVersion)) },
  ];
  const { pre = [], post = [], ordered = false } = input.destructive ?? {};
  const deletions = (list: MemberRef[]) =>
    Buffer.from(buildPackageXml(ordered ? list : deletionOrder(list), input.apiVersion, 'asGiven'));
  if (pre.length) manifests.push({ path: 'destructiveChangesPre.xml', content: deletions(pre) });
  if (post.length) manifests.push({ path: 'destructiveChangesPost.xml', content: deletions(post) });

  const files = [
    ...manifests,
    ...[...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, entry]) => zipEntry(path, entry)),
  ];
  // a file read back from the blob store goes in with the deflate stream it is stored with (not deflated again)
  const zip = await writeZip(files, { level: input.compressionLevel ?? 6, reuseDeflated: true });
  return { zip, fileCount: files.length, members };
}

/**
 * The metadata paths of static resources held as a folder in source format (archives SDR zips on conversion). SDR
 * stamps each entry with the time of the conversion; re-zipped with fixed dates, the same folder always gives the
 * same `.resource` bytes, so an unchanged resource deploys unchanged.
 */
export function archiveResourcePaths(components: ResolvedComponent[]): string[] {
  return components
    .filter((c) => c.type === 'StaticResource')
    .filter((c) => c.files.some((f) => f.path.includes(`/staticresources/${c.fullName}/`)))
    .map((c) => `staticresources/${c.fullName}.resource`);
}

/** The same entries (sorted by name, fixed dates, deflate level 6): the bytes depend on the content only. */
export async function rezipDeterministically(archive: Buffer): Promise<Buffer> {
  const files = await readZip(archive);
  const sorted = [...files]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, content]) => ({ path, content }));
  return writeZip(sorted);
}

function addEntry(
  entries: Map<string, Buffer | PackedFile>,
  path: string,
  content: Buffer | PackedFile,
  owner?: MemberRef,
): void {
  const existing = entries.get(path);
  if (existing && !sameContent(existing, content)) {
    throw new DeployPackageError(
      `Two components write different content to ${path}${owner ? ` (${memberKey(owner)})` : ''}.`,
    );
  }
  entries.set(path, content);
}

function sameContent(a: Buffer | PackedFile, b: Buffer | PackedFile): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  const address = (x: Buffer | PackedFile) => (Buffer.isBuffer(x) ? sha256(x) : x.sha256);
  return address(a) === address(b);
}

function zipEntry(path: string, entry: Buffer | PackedFile): ZipEntryInput {
  if (Buffer.isBuffer(entry)) return { path, content: entry };
  return Buffer.isBuffer(entry.body) ? { path, content: entry.body } : { path, deflated: entry.body };
}

/** Converts components with SDR from an in-memory tree of their files; returns metadata-format files without package.xml. */
async function convertWithSdr(components: ResolvedComponent[], apiVersion: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const c of components) for (const f of c.files) files.set(f.path, f.content);
  const tree = new StreamingVirtualTree(files);
  const roots = [...new Set([...files.keys()].map((p) => p.split('/')[0]!))];
  let zipBuffer: Buffer | undefined;
  try {
    const cs = ComponentSet.fromSource({ fsPaths: roots, tree });
    const resolved = new Set<string>();
    for (const sc of cs.getSourceComponents()) {
      resolved.add(memberKey({ type: sc.type.name, fullName: sc.fullName }));
      for (const ch of sc.getChildren()) resolved.add(memberKey({ type: ch.type.name, fullName: ch.fullName }));
    }
    const lost = components.map(memberKey).filter((k) => !resolved.has(k));
    if (lost.length)
      throw new DeployPackageError(`SDR did not recognise ${lost.slice(0, 5).join(', ')} from their stored files.`);
    cs.apiVersion = apiVersion;
    cs.sourceApiVersion = apiVersion;
    zipBuffer = (await new MetadataConverter().convert(cs, 'metadata', { type: 'zip' })).zipBuffer;
  } catch (err) {
    if (err instanceof DeployPackageError) throw err;
    throw new DeployPackageError(`Converting components to metadata format failed: ${describeSdrError(err, '')}`);
  }
  if (!zipBuffer) throw new DeployPackageError('SDR produced no zip.');
  const out = await readZip(zipBuffer);
  out.delete('package.xml');
  return out;
}
