import { compareMembers, type MemberRef } from './component.types.js';

const API_VERSION = /^\d{2,3}\.0$/;

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * A package.xml (also the format of destructiveChanges*.xml) listing exactly these members: types and members
 * sorted, duplicates dropped, names escaped. Wildcards are refused: Backtrack always names what it touches.
 * `asGiven` keeps the members' order (types in the order they first appear): Salesforce deletes a destructive
 * manifest's members in the order listed (see deletionOrder).
 */
export function buildPackageXml(
  members: MemberRef[],
  apiVersion: string,
  order: 'sorted' | 'asGiven' = 'sorted',
): string {
  if (!API_VERSION.test(apiVersion)) throw new Error(`API version "${apiVersion}" is not of the form 62.0.`);
  const byType = new Map<string, Set<string>>();
  for (const m of order === 'sorted' ? [...members].sort(compareMembers) : members) {
    if (!m.type || !m.fullName) throw new Error('Every package member needs a type and a full name.');
    if (m.fullName === '*') throw new Error(`A wildcard member for ${m.type} is not allowed: name the components.`);
    const set = byType.get(m.type) ?? new Set<string>();
    set.add(m.fullName);
    byType.set(m.type, set);
  }
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<Package xmlns="http://soap.sforce.com/2006/04/metadata">'];
  for (const [type, names] of byType) {
    lines.push('    <types>');
    for (const name of names) lines.push(`        <members>${escapeXml(name)}</members>`);
    lines.push(`        <name>${escapeXml(type)}</name>`, '    </types>');
  }
  lines.push(`    <version>${apiVersion}</version>`, '</Package>', '');
  return lines.join('\n');
}
