/** Why a zip entry name is refused, or null when it is a safe relative path. */
export type UnsafeNameReason = 'absolute' | 'traversal' | 'empty' | 'control-characters';

export interface EntryNameCheck {
  /** The name with backslashes turned into slashes and `./` segments removed (posix, relative). */
  normalized: string;
  unsafe: UnsafeNameReason | null;
}

/**
 * Checks one zip entry name. Windows tools write backslash separators, so `\` counts as a separator (which is
 * also what makes `..\..\x` and `C:\x` tricks visible). Refuses absolute paths (`/x`, `\\server\x`, `C:x`,
 * `C:\x`), any `..` segment, NUL/control characters and names that are empty after normalization.
 */
export function checkEntryName(raw: string): EntryNameCheck {
  const slashed = raw.replace(/\\/g, '/');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(raw)) return { normalized: slashed, unsafe: 'control-characters' };
  if (slashed.startsWith('/') || /^[a-zA-Z]:/.test(slashed)) return { normalized: slashed, unsafe: 'absolute' };
  const segments = slashed.split('/');
  if (segments.includes('..')) return { normalized: slashed, unsafe: 'traversal' };
  const kept = segments.filter((s, i) => s !== '.' && (s !== '' || i === segments.length - 1));
  const normalized = kept.join('/');
  if (normalized === '' || normalized === '/') return { normalized, unsafe: 'empty' };
  return { normalized, unsafe: null };
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/** The kind of entry that the unix mode in the external attributes declares (zips made on unix put it in the upper 16 bits). */
export function entryKind(
  externalFileAttributes: number,
  nameEndsWithSlash: boolean,
): 'file' | 'directory' | 'symlink' | 'special' {
  const mode = (externalFileAttributes >>> 16) & S_IFMT;
  if (mode === S_IFLNK) return 'symlink';
  if (mode === S_IFDIR || nameEndsWithSlash) return 'directory';
  if (mode === 0 || mode === S_IFREG) return 'file';
  return 'special';
}
