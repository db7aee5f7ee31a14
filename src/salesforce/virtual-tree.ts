import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { VirtualTreeContainer, type VirtualDirectory } from '@salesforce/source-deploy-retrieve';

/**
 * An in-memory file tree for SDR. Its own VirtualTreeContainer does not implement `stream()`, which every
 * non-decomposed transformer uses. `root` places the files under that absolute folder (their paths stay relative in
 * the map), so SDR sees the paths it would see on disk there.
 */
export class StreamingVirtualTree extends VirtualTreeContainer {
  constructor(files: Map<string, Buffer>, root?: string) {
    const dirs = virtualDirectories(files);
    super(root ? dirs.map((d) => ({ ...d, dirPath: d.dirPath === '.' ? root : join(root, d.dirPath) })) : dirs);
  }

  override stream(fsPath: string): Readable {
    return Readable.from([this.readFileSync(fsPath)]);
  }
}

/** The VirtualTreeContainer layout (every folder with its children) for a set of relative file paths. */
function virtualDirectories(files: Map<string, Buffer>): VirtualDirectory[] {
  const dirs = new Map<string, Map<string, VirtualDirectory['children'][number]>>();
  const ensure = (dir: string): Map<string, VirtualDirectory['children'][number]> => {
    let children = dirs.get(dir);
    if (!children) {
      children = new Map();
      dirs.set(dir, children);
      if (dir !== '.') {
        const parent = dirname(dir);
        ensure(parent).set(dir, dir.slice(dir.lastIndexOf('/') + 1));
      }
    }
    return children;
  };
  for (const [path, data] of files) {
    const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.';
    const name = path.slice(path.lastIndexOf('/') + 1);
    ensure(dir).set(path, { name, data });
  }
  return [...dirs].map(([dirPath, children]) => ({ dirPath, children: [...children.values()] }));
}
