import { compareMembers, type ComponentFile, type MemberRef, type ResolvedComponent } from './component.types.js';

/**
 * Types whose metadata and source formats differ only by folder: the files are the same bytes with the same names
 * (`classes/A.cls` + `A.cls-meta.xml`, `lwc/x/…`). Converting them needs no SDR, which matters at 10,000
 * components. Everything else (decomposed objects, static resources, xml-only types…) goes through SDR.
 */
interface FastType {
  dir: string;
  /** Content suffix of single-file types; absent for bundles. */
  suffix?: string;
}

export const FAST_TYPES: Readonly<Record<string, FastType>> = Object.freeze({
  ApexClass: { dir: 'classes', suffix: 'cls' },
  ApexTrigger: { dir: 'triggers', suffix: 'trigger' },
  ApexPage: { dir: 'pages', suffix: 'page' },
  ApexComponent: { dir: 'components', suffix: 'component' },
  LightningComponentBundle: { dir: 'lwc' },
});

/** Where the source-format tree of converted metadata lives, matching SDR's own output (`force-app/main/default`). */
export const DEFAULT_SOURCE_ROOT = 'force-app/main/default';

/**
 * Metadata-format paths of a source-format component of a fast type, or undefined when the component does not
 * have the expected shape (then SDR converts it).
 */
export function fastMetadataPaths<F extends { path: string } = ComponentFile>(component: {
  type: string;
  fullName: string;
  parent?: MemberRef;
  files: F[];
}): { source: F; metadataPath: string }[] | undefined {
  const spec = FAST_TYPES[component.type];
  if (!spec || component.parent || component.files.length === 0) return undefined;
  const out: { source: F; metadataPath: string }[] = [];
  if (spec.suffix) {
    const expected = new Set([`${component.fullName}.${spec.suffix}`, `${component.fullName}.${spec.suffix}-meta.xml`]);
    if (component.files.length !== 2) return undefined;
    for (const f of component.files) {
      const segments = f.path.split('/');
      const base = segments[segments.length - 1]!;
      if (!expected.has(base) || !segments.slice(0, -1).includes(spec.dir)) return undefined;
      out.push({ source: f, metadataPath: `${spec.dir}/${base}` });
    }
    return out;
  }
  const marker = `${spec.dir}/${component.fullName}/`;
  let hasMeta = false;
  for (const f of component.files) {
    const at = f.path.lastIndexOf(marker);
    if (at !== 0 && (at < 0 || f.path[at - 1] !== '/')) return undefined;
    const metadataPath = f.path.slice(at);
    if (metadataPath === `${marker}${component.fullName}.js-meta.xml`) hasMeta = true;
    out.push({ source: f, metadataPath });
  }
  return hasMeta ? out : undefined;
}

/**
 * Picks the files of fast types out of a metadata-format tree (paths relative to the package root) and returns
 * them as source-format components under `sourceRoot`; every other file is returned in `rest`.
 */
export function splitFastMetadataFiles(
  files: Map<string, Buffer>,
  sourceRoot: string = DEFAULT_SOURCE_ROOT,
): { components: ResolvedComponent[]; rest: Map<string, Buffer> } {
  const rest = new Map(files);
  const components: ResolvedComponent[] = [];
  const byDir = new Map<string, [string, FastType]>(
    Object.entries(FAST_TYPES).map(([type, spec]) => [spec.dir, [type, spec]]),
  );
  const bundles = new Map<string, string[]>();
  for (const path of files.keys()) {
    const segments = path.split('/');
    const entry = byDir.get(segments[0]!);
    if (!entry || segments.some((s) => s.startsWith('.'))) continue;
    const [type, spec] = entry;
    if (spec.suffix) {
      if (segments.length !== 2 || !path.endsWith(`.${spec.suffix}`)) continue;
      const name = segments[1]!.slice(0, -(spec.suffix.length + 1));
      const meta = `${path}-meta.xml`;
      if (!name || !files.has(meta)) continue;
      components.push({
        type,
        fullName: name,
        files: [path, meta].map((p) => ({ path: `${sourceRoot}/${p}`, content: files.get(p)! })),
      });
      rest.delete(path);
      rest.delete(meta);
    } else if (segments.length >= 3) {
      const key = `${type}\u0000${segments[1]}`;
      const list = bundles.get(key) ?? [];
      list.push(path);
      bundles.set(key, list);
    }
  }
  for (const [key, paths] of bundles) {
    const [type, name] = key.split('\u0000') as [string, string];
    const spec = FAST_TYPES[type]!;
    if (!paths.includes(`${spec.dir}/${name}/${name}.js-meta.xml`)) continue;
    components.push({
      type,
      fullName: name,
      files: paths.sort().map((p) => ({ path: `${sourceRoot}/${p}`, content: files.get(p)! })),
    });
    paths.forEach((p) => rest.delete(p));
  }
  return { components: components.sort(compareMembers), rest };
}
