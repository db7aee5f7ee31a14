// Keeps the emulator's state in a folder: orgs and sessions in state.json, one component index per
// org, file contents once each under blobs/ by sha256. Writes are serialized and coalesced.
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { toContent, type Audit, type ComponentRecord, type ComponentRef } from './component-store.js';
import type { Org, OrgData } from './org-registry.js';
import type { SessionSnapshot } from './session-store.js';

interface SavedComponent extends ComponentRef {
  readonly id: string;
  readonly parent?: ComponentRef;
  readonly created: Audit;
  readonly lastModified: Audit;
  /** path → sha256 of the blob */
  readonly files: Readonly<Record<string, string>>;
}

interface SavedState {
  readonly version: 1;
  readonly orgs: readonly OrgData[];
  readonly sessions: SessionSnapshot;
}

export interface LoadedState {
  readonly orgs: readonly OrgData[];
  readonly sessions: SessionSnapshot;
  readonly components: ReadonlyMap<string, ComponentRecord[]>;
}

/** What the store saves: read at write time so a write always carries the latest state. */
export interface StateSource {
  orgs(): readonly Org[];
  sessions(): SessionSnapshot;
}

async function writeAtomically(file: string, data: string | Buffer): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, file);
}

export class StateStore {
  private readonly knownBlobs = new Set<string>();
  private readonly dirtyOrgs = new Set<string>();
  private running: Promise<void> | undefined;
  private pending = false;

  constructor(
    private readonly dir: string,
    private readonly source: StateSource,
    private readonly onError: (error: unknown) => void,
  ) {}

  private get blobDir(): string {
    return path.join(this.dir, 'blobs');
  }

  private orgFile(orgId: string): string {
    return path.join(this.dir, 'orgs', `${orgId}.json`);
  }

  async load(): Promise<LoadedState | undefined> {
    await mkdir(this.blobDir, { recursive: true });
    await mkdir(path.join(this.dir, 'orgs'), { recursive: true });
    for (const name of await readdir(this.blobDir)) this.knownBlobs.add(name);
    let state: SavedState;
    try {
      state = JSON.parse(await readFile(path.join(this.dir, 'state.json'), 'utf8')) as SavedState;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const components = new Map<string, ComponentRecord[]>();
    for (const org of state.orgs) components.set(org.id, await this.loadComponents(org.id));
    return { orgs: state.orgs, sessions: state.sessions, components };
  }

  private async loadComponents(orgId: string): Promise<ComponentRecord[]> {
    let saved: SavedComponent[];
    try {
      saved = JSON.parse(await readFile(this.orgFile(orgId), 'utf8')) as SavedComponent[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records: ComponentRecord[] = [];
    for (const component of saved) {
      const files = new Map<string, Buffer>();
      for (const [filePath, hash] of Object.entries(component.files))
        files.set(filePath, await readFile(path.join(this.blobDir, hash)));
      const { type, fullName, id, parent, created, lastModified } = component;
      records.push({ type, fullName, id, parent, created, lastModified, content: toContent(files) });
    }
    return records;
  }

  /** Schedules a write of the shared state and of the given orgs' components. */
  save(changedOrgs: readonly Org[] = []): void {
    for (const org of changedOrgs) this.dirtyOrgs.add(org.id);
    this.pending = true;
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Resolves once everything scheduled so far is on disk. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.pending) {
      this.pending = false;
      const orgIds = [...this.dirtyOrgs];
      this.dirtyOrgs.clear();
      try {
        await this.write(orgIds);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  private async write(orgIds: readonly string[]): Promise<void> {
    const orgs = this.source.orgs();
    for (const org of orgs.filter((o) => orgIds.includes(o.id))) {
      const saved: SavedComponent[] = [];
      for (const record of org.components.list()) {
        for (const [filePath, hash] of record.content.fileHashes) {
          if (this.knownBlobs.has(hash)) continue;
          await writeAtomically(path.join(this.blobDir, hash), record.content.files.get(filePath) as Buffer);
          this.knownBlobs.add(hash);
        }
        saved.push({
          type: record.type,
          fullName: record.fullName,
          id: record.id,
          parent: record.parent,
          created: record.created,
          lastModified: record.lastModified,
          files: Object.fromEntries(record.content.fileHashes),
        });
      }
      await writeAtomically(this.orgFile(org.id), JSON.stringify(saved));
    }
    const state: SavedState = {
      version: 1,
      orgs: orgs.map(({ id, name, user, createdDate, accessToken }) => ({ id, name, user, createdDate, accessToken })),
      sessions: this.source.sessions(),
    };
    await writeAtomically(path.join(this.dir, 'state.json'), JSON.stringify(state, null, 2));
  }
}
