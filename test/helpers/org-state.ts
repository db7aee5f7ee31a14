import type { EmulatorHandle } from '../../src/emulator/emulator.server.js';
import { fingerprintComponent } from '../../src/salesforce/fingerprint.js';

/**
 * The org's contents component by component, as fingerprints that ignore XML formatting (what a full retrieve
 * compares): `Type:FullName` → fingerprint.
 */
export function orgState(emulator: EmulatorHandle, orgId = emulator.defaultOrg.id): Map<string, string> {
  const state = new Map<string, string>();
  for (const c of emulator.admin.listComponents(orgId)) {
    const files = emulator.admin.getComponent(orgId, c.type, c.fullName)!.files;
    state.set(
      `${c.type}:${c.fullName}`,
      fingerprintComponent(Object.entries(files).map(([path, content]) => ({ path, content }))),
    );
  }
  return state;
}

/** The keys whose fingerprints differ between two states (including ones only in one of them). */
export function changedKeys(a: Map<string, string>, b: Map<string, string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k)).sort();
}
