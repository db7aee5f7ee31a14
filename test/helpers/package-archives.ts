// Package archives for tests (issue 14): real .tar.gz written with tar-stream and .zip written with archiver,
// including the hostile entries (traversal, escaping links, devices) that no well-behaved tool would write.
import { ZipArchive } from 'archiver';
import { gzipSync } from 'node:zlib';
import tar, { type Header } from 'tar-stream';

/** One tar entry: its header as tar-stream takes it (name, type, mode, linkname…) and, for a file, its content. */
export type TarEntry = Partial<Header> & { name: string; content?: string | Buffer };

/** The uncompressed tar of `entries`, in order. */
export async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const { content, ...header } of entries) {
    if (content === undefined) pack.entry(header);
    else pack.entry(header, content);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A .tar.gz of `entries`. */
export async function tarGz(entries: TarEntry[]): Promise<Buffer> {
  return gzipSync(await tarOf(entries));
}

/** What a deployable package usually holds: nested folders, an executable script, a symbolic link inside it. */
export const WEB_PACKAGE: TarEntry[] = [
  { name: './', type: 'directory', mode: 0o755 },
  { name: './bin/', type: 'directory', mode: 0o755 },
  { name: './bin/start.sh', mode: 0o755, content: '#!/bin/sh\nexec node server.js\n' },
  { name: './public/css/', type: 'directory' },
  { name: './public/css/site.css', content: 'body { margin: 0 }\n' },
  { name: './public/index.html', content: '<h1>web</h1>\n' },
  { name: './current-start', type: 'symlink', linkname: 'bin/start.sh' },
];

/** One zip entry: a file (`content`) or a symbolic link (`symlink`: its target). */
export interface ZipPackageEntry {
  name: string;
  content?: string | Buffer;
  symlink?: string;
  mode?: number;
}

/** A .zip of `entries` written by archiver, which stores a link's unix mode and target as `zip -y` does. */
export async function zipPackage(entries: ZipPackageEntry[]): Promise<Buffer> {
  const archive = new ZipArchive({ zlib: { level: 9 } });
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve, reject) => archive.on('end', resolve).on('error', reject));
  for (const entry of entries) {
    if (entry.symlink !== undefined) archive.symlink(entry.name, entry.symlink);
    else archive.append(entry.content ?? '', { name: entry.name, mode: entry.mode ?? 0o644 });
  }
  await archive.finalize();
  await done;
  return Buffer.concat(chunks);
}
