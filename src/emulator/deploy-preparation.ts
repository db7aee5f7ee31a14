// Turns a deploy zip into what the planner needs: candidates (validated), deletions and failures.
import { checkApexBraces } from './apex-check.js';
import { resolveComponents, type ResolvedComponent } from './component-resolver.js';
import { componentKey, nameKey, toContent, type ComponentRef } from './component-store.js';
import { DecomposeError, decomposeFile } from './decomposed-file.js';
import type { ComponentProblem, DeletionRequest, DeployCandidate, PreparedFailure } from './deploy-plan.js';
import { deployLimitErrors, type LimitError, type MetadataLimits } from './metadata-limits.js';
import { findType, isKnownTypeName, manifestMember, type MetadataTypeDef } from './metadata-types.js';
import { ManifestError, parsePackageManifest, type PackageManifest } from './package-manifest.js';
import { checkXml } from './xml-check.js';
import { InvalidZipError, readZip, ZipLimitError } from './zip-io.js';

export interface PreparedDeploy {
  readonly candidates: DeployCandidate[];
  readonly deletions: DeletionRequest[];
  readonly failures: PreparedFailure[];
}

/** Asks whether a fault is injected for a component: the problem text, or undefined. */
export type InjectedProblem = (ref: ComponentRef) => string | undefined;

const PACKAGE_XML = 'package.xml';
const DESTRUCTIVE_MANIFESTS: readonly { file: string; phase: DeletionRequest['phase'] }[] = [
  { file: 'destructiveChanges.xml', phase: 'pre' },
  { file: 'destructiveChangesPre.xml', phase: 'pre' },
  { file: 'destructiveChangesPost.xml', phase: 'post' },
];
const MANIFEST_FILES = new Set([PACKAGE_XML, ...DESTRUCTIVE_MANIFESTS.map((m) => m.file)]);

/** The folder holding package.xml: '' at the root, `name/` for one folder, undefined when there is none. */
export function packageRoot(paths: Iterable<string>): string | undefined {
  const nested: string[] = [];
  for (const path of paths) {
    if (path === PACKAGE_XML) return '';
    if (/^[^/]+\/package\.xml$/.test(path)) nested.push(path.slice(0, -PACKAGE_XML.length));
  }
  return nested.length === 1 ? nested[0] : undefined;
}

function manifestFailure(fileName: string, problem: string): PreparedFailure {
  return { componentType: '', fullName: fileName, fileName, problem };
}

/** Which components of the zip a manifest names; `everything` names all of them (seeding). */
export class Selection {
  /** type → name key (lower case) → the name as written; '*' for a wildcard. */
  private readonly members = new Map<string, Map<string, string>>();
  private everything = false;

  static everything(): Selection {
    const selection = new Selection({ types: [] });
    selection.everything = true;
    return selection;
  }

  constructor(manifest: PackageManifest) {
    for (const type of manifest.types) {
      for (const member of type.members) {
        const ref = manifestMember(type.name, member);
        const names = this.members.get(ref.type) ?? new Map<string, string>();
        names.set(ref.fullName === '*' ? '*' : nameKey(ref.fullName), ref.fullName);
        this.members.set(ref.type, names);
      }
    }
  }

  /** Whether the manifest names the component; names match case-insensitively, as in Salesforce. */
  includes(type: string, fullName: string): boolean {
    if (this.everything) return true;
    const names = this.members.get(type);
    return !!names && (names.has('*') || names.has(nameKey(fullName)));
  }

  named(): ComponentRef[] {
    return [...this.members].flatMap(([type, names]) =>
      [...names.values()].filter((n) => n !== '*').map((fullName) => ({ type, fullName })),
    );
  }
}

interface LocatedProblem extends ComponentProblem {
  /** The file at fault when it is not the component's main file (a malformed -meta.xml). */
  readonly fileName?: string;
}

function firstProblem(
  component: ResolvedComponent,
  def: MetadataTypeDef,
  injected: InjectedProblem,
): LocatedProblem | undefined {
  for (const [path, data] of component.files) {
    const isXml = path.endsWith('.xml') || (!def.metaFile && !def.bundle);
    const problem = isXml ? checkXml(data.toString('utf8')) : undefined;
    if (problem) return { ...problem, fileName: path };
  }
  if (def.name === 'ApexClass' || def.name === 'ApexTrigger') {
    const source = component.files.get(component.fileName);
    const problem = source && checkApexBraces(source.toString('utf8'));
    if (problem) return problem;
  }
  const injectedText = injected(component);
  return injectedText === undefined ? undefined : { problem: injectedText };
}

function failedCandidate(component: ResolvedComponent, located: LocatedProblem): DeployCandidate {
  const { fileName, ...problem } = located;
  return {
    type: component.type,
    fullName: component.fullName,
    fileName: fileName ?? component.fileName,
    content: toContent(component.files),
    problem,
  };
}

function candidatesOf(
  component: ResolvedComponent,
  def: MetadataTypeDef,
  selection: Selection,
  injected: InjectedProblem,
): DeployCandidate[] {
  const parentIncluded = selection.includes(def.name, component.fullName);
  if (def.children.length === 0 && !parentIncluded) return [];
  const problem = firstProblem(component, def, injected);
  if (problem) return [failedCandidate(component, problem)];
  if (def.children.length === 0)
    return [
      {
        type: component.type,
        fullName: component.fullName,
        fileName: component.fileName,
        content: toContent(component.files),
      },
    ];
  let decomposed;
  try {
    decomposed = decomposeFile(
      def,
      component.fullName,
      (component.files.get(component.fileName) as Buffer).toString('utf8'),
    );
  } catch (error) {
    if (!(error instanceof DecomposeError)) throw error;
    return [failedCandidate(component, { problem: error.message })];
  }
  const parentRef = { type: def.name, fullName: component.fullName };
  const candidates: DeployCandidate[] = [];
  for (const child of decomposed.children) {
    if (!parentIncluded && !selection.includes(child.type, child.fullName)) continue;
    const childProblem = injected(child);
    candidates.push({
      type: child.type,
      fullName: child.fullName,
      fileName: component.fileName,
      parent: parentRef,
      content: toContent(new Map([[component.fileName, Buffer.from(child.fragment)]])),
      problem: childProblem === undefined ? undefined : { problem: childProblem },
    });
  }
  if (parentIncluded) {
    candidates.push({
      ...parentRef,
      fileName: component.fileName,
      content: toContent(new Map([[component.fileName, Buffer.from(decomposed.parent)]])),
    });
  }
  return candidates;
}

function missingMembers(
  selection: Selection,
  candidates: readonly DeployCandidate[],
  failures: readonly PreparedFailure[],
): PreparedFailure[] {
  const seen = new Set(
    [...candidates, ...failures.map((f) => ({ type: f.componentType, fullName: f.fullName }))].map(componentKey),
  );
  return selection
    .named()
    .filter((ref) => isKnownTypeName(ref.type) && !seen.has(componentKey(ref)))
    .map((ref) => ({
      componentType: ref.type,
      fullName: ref.fullName,
      fileName: PACKAGE_XML,
      problem: `An object '${ref.fullName}' of type ${ref.type} was named in package.xml, but was not found in zipped directory`,
    }));
}

function unknownTypes(manifest: PackageManifest, fileName: string): PreparedFailure[] {
  return manifest.types
    .filter((t) => !isKnownTypeName(t.name))
    .map((t) => manifestFailure(fileName, `Unknown type name '${t.name}' specified in ${fileName}`));
}

function readManifest(
  files: ReadonlyMap<string, Buffer>,
  fileName: string,
): PackageManifest | PreparedFailure | undefined {
  const data = files.get(fileName);
  if (!data) return undefined;
  try {
    return parsePackageManifest(data.toString('utf8'));
  } catch (error) {
    if (error instanceof ManifestError) return manifestFailure(fileName, `Error parsing ${fileName}: ${error.message}`);
    throw error;
  }
}

const isFailure = (value: PackageManifest | PreparedFailure): value is PreparedFailure => 'problem' in value;

/** Reads and validates a deploy zip; a limit error when Salesforce would refuse the zip as a whole. */
export async function prepareDeploy(
  zip: Buffer,
  limits: MetadataLimits,
  injected: InjectedProblem,
): Promise<PreparedDeploy | LimitError> {
  if (zip.length > limits.maxZipBytes) return deployLimitErrors.zipTooLarge(limits);
  let entries: Map<string, Buffer>;
  try {
    entries = await readZip(zip, limits);
  } catch (error) {
    if (error instanceof ZipLimitError)
      return error.limit === 'files' ? deployLimitErrors.tooManyFiles() : deployLimitErrors.unzippedTooLarge(limits);
    if (error instanceof InvalidZipError)
      return { candidates: [], deletions: [], failures: [manifestFailure(PACKAGE_XML, error.message)] };
    throw error;
  }
  const root = packageRoot(entries.keys());
  if (root === undefined)
    return { candidates: [], deletions: [], failures: [manifestFailure(PACKAGE_XML, 'No package.xml found')] };

  const files = new Map<string, Buffer>();
  for (const [path, data] of entries) if (path.startsWith(root)) files.set(path.slice(root.length), data);
  const manifest = readManifest(files, PACKAGE_XML) as PackageManifest | PreparedFailure;
  if (isFailure(manifest)) return { candidates: [], deletions: [], failures: [manifest] };

  const failures: PreparedFailure[] = unknownTypes(manifest, PACKAGE_XML);
  const deletions: DeletionRequest[] = [];
  for (const { file, phase } of DESTRUCTIVE_MANIFESTS) {
    const destructive = readManifest(files, file);
    if (!destructive) continue;
    if (isFailure(destructive)) {
      failures.push(destructive);
      continue;
    }
    failures.push(...unknownTypes(destructive, file));
    for (const type of destructive.types) {
      if (!isKnownTypeName(type.name)) continue;
      for (const member of type.members)
        deletions.push({ ...manifestMember(type.name, member), phase, manifestFile: file });
    }
  }

  const selection = new Selection(manifest);
  const prepared = prepareFiles(files, selection, injected);
  failures.push(...prepared.failures, ...missingMembers(selection, prepared.candidates, prepared.failures));
  return { candidates: prepared.candidates, deletions, failures };
}

/** Candidates for the selected components among `files` (manifests are ignored), and the files that fit none. */
export function prepareFiles(
  files: ReadonlyMap<string, Buffer>,
  selection: Selection,
  injected: InjectedProblem,
): Omit<PreparedDeploy, 'deletions'> {
  const componentFiles = new Map([...files].filter(([path]) => !MANIFEST_FILES.has(path)));
  const resolution = resolveComponents(componentFiles);
  const candidates = resolution.components.flatMap((component) =>
    candidatesOf(component, findType(component.type) as MetadataTypeDef, selection, injected),
  );
  return { candidates, failures: [...resolution.problems] };
}
