// package.xml and destructiveChanges*.xml: read and write.
import { XMLParser } from 'fast-xml-parser';
import { checkXml } from './xml-check.js';
import { escapeXml } from './xml-writer.js';

export interface ManifestType {
  readonly name: string;
  readonly members: readonly string[];
}

export interface PackageManifest {
  readonly types: readonly ManifestType[];
  readonly version?: string;
}

export class ManifestError extends Error {}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'types' || name === 'members',
});

interface RawManifest {
  Package?: { types?: { name?: string; members?: string[] }[]; version?: string } | '';
}

export function parsePackageManifest(content: string): PackageManifest {
  const invalid = checkXml(content);
  if (invalid)
    throw new ManifestError(`${invalid.problem} (line ${invalid.lineNumber}, column ${invalid.columnNumber})`);
  const raw = parser.parse(content) as RawManifest;
  if (raw.Package === undefined) throw new ManifestError('The root element must be <Package>');
  const pkg = raw.Package === '' ? {} : raw.Package;
  const types = (pkg.types ?? []).map((t) => {
    if (!t.name) throw new ManifestError('Every <types> element needs a <name>');
    return { name: t.name, members: t.members ?? [] };
  });
  return { types, version: pkg.version };
}

/** A package.xml listing the given members per type, types and members sorted. */
export function renderPackageManifest(members: ReadonlyMap<string, Iterable<string>>, version: string): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<Package xmlns="http://soap.sforce.com/2006/04/metadata">'];
  for (const name of [...members.keys()].sort()) {
    lines.push('    <types>');
    for (const member of [...new Set(members.get(name))].sort())
      lines.push(`        <members>${escapeXml(member)}</members>`);
    lines.push(`        <name>${escapeXml(name)}</name>`, '    </types>');
  }
  lines.push(`    <version>${escapeXml(version)}</version>`, '</Package>', '');
  return lines.join('\n');
}
