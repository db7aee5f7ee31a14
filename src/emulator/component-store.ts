// An org's metadata: components keyed by (type, fullName) with names case-insensitive, each with its files
// byte for byte.
import { createHash } from 'node:crypto';

export interface ComponentRef {
  readonly type: string;
  readonly fullName: string;
}

export interface ComponentContent {
  /** path → bytes. A child component holds its element from the parent's file under the parent's path. */
  readonly files: ReadonlyMap<string, Buffer>;
  /** path → sha256 (hex) of the file. */
  readonly fileHashes: ReadonlyMap<string, string>;
  /** sha256 over the sorted paths and their hashes: equal digests mean equal content. */
  readonly digest: string;
}

export interface Audit {
  readonly date: string;
  readonly userId: string;
  readonly userName: string;
}

export interface ComponentRecord extends ComponentRef {
  readonly id: string;
  readonly content: ComponentContent;
  /** Set on children (CustomField → its CustomObject). */
  readonly parent?: ComponentRef;
  readonly created: Audit;
  readonly lastModified: Audit;
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function toContent(files: ReadonlyMap<string, Buffer>): ComponentContent {
  const sorted = [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const fileHashes = new Map(sorted.map(([path, data]) => [path, sha256(data)]));
  const digest = sha256([...fileHashes].map(([path, hash]) => `${path}\u0000${hash}`).join('\n'));
  return { files: new Map(sorted), fileHashes, digest };
}

/**
 * The name part of a component's key. Salesforce API names are case-insensitive (`accountId__c` and
 * `AccountId__c` are the same field), for every type the emulator knows: one key per name whatever its case.
 */
export function nameKey(fullName: string): string {
  return fullName.toLowerCase();
}

/** The store key of a component: its type (exact) and its name (case-insensitive). */
export function componentKey(ref: ComponentRef): string {
  return `${ref.type}\u0000${nameKey(ref.fullName)}`;
}

/** Read access the deploy planner needs. */
export interface ComponentLookup {
  get(ref: ComponentRef): ComponentRecord | undefined;
  childrenOf(ref: ComponentRef): ComponentRecord[];
  list(): ComponentRecord[];
}

export class ComponentStore implements ComponentLookup {
  private readonly records = new Map<string, ComponentRecord>();
  private readonly childKeys = new Map<string, Set<string>>();

  get size(): number {
    return this.records.size;
  }

  get(ref: ComponentRef): ComponentRecord | undefined {
    return this.records.get(componentKey(ref));
  }

  list(type?: string): ComponentRecord[] {
    const all = [...this.records.values()];
    return type === undefined ? all : all.filter((record) => record.type === type);
  }

  childrenOf(ref: ComponentRef): ComponentRecord[] {
    const keys = this.childKeys.get(componentKey(ref));
    return keys ? [...keys].map((key) => this.records.get(key) as ComponentRecord) : [];
  }

  put(record: ComponentRecord): void {
    const key = componentKey(record);
    this.records.set(key, record);
    if (record.parent) {
      const parentKey = componentKey(record.parent);
      let keys = this.childKeys.get(parentKey);
      if (!keys) {
        keys = new Set();
        this.childKeys.set(parentKey, keys);
      }
      keys.add(key);
    }
  }

  /** Removes a component; removing a parent removes its children too. */
  delete(ref: ComponentRef): boolean {
    const key = componentKey(ref);
    const record = this.records.get(key);
    if (!record) return false;
    this.records.delete(key);
    if (record.parent) this.childKeys.get(componentKey(record.parent))?.delete(key);
    for (const child of this.childrenOf(ref)) this.records.delete(componentKey(child));
    this.childKeys.delete(key);
    return true;
  }

  clear(): void {
    this.records.clear();
    this.childKeys.clear();
  }
}
