import { memberKey, type MemberRef } from './component.types.js';

/** A component with its parent and its files' sizes: what a deploy's size is estimated from. */
export interface SizedComponent extends MemberRef {
  parentType: string | null;
  parentFullName: string | null;
  files: { size: number }[];
}

/**
 * Files the metadata-format deploy will hold: children merge into their parent's file (one per distinct parent),
 * other components bring their own files, plus package.xml. Used to refuse a deploy over the limits before it runs.
 */
export function estimateDeployFiles(components: SizedComponent[]): { fileCount: number; unzippedBytes: number } {
  const parents = new Set<string>();
  let fileCount = 1;
  let unzippedBytes = 0;
  for (const c of components) {
    unzippedBytes += c.files.reduce((n, f) => n + f.size, 0);
    if (c.parentType) parents.add(memberKey({ type: c.parentType, fullName: c.parentFullName! }));
    else fileCount += c.files.length;
  }
  // a set, not a scan of every component per parent (150 objects × 10,000 components made 1.5 million keys)
  const present = new Set(components.map(memberKey));
  for (const key of parents) if (!present.has(key)) fileCount += 1;
  return { fileCount, unzippedBytes };
}
