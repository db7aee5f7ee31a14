/** C0 and C1 control characters (NUL, tab, newline, escape, DEL, …): never part of a name. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Characters that change how text is shown without being visible (Unicode "format" characters): bidirectional
 * overrides and isolates such as U+202E, zero-width spaces and joiners, the byte order mark, soft hyphens. In a name
 * they make two different names look alike, or one name read backwards.
 */
const INVISIBLE = /\p{Cf}/u;

/** The first control or invisible formatting character in `text`, or null. */
export function hiddenCharacter(text: string): string | null {
  const match = CONTROL.exec(text) ?? INVISIBLE.exec(text);
  return match ? match[0] : null;
}

/** Whether `text` holds an ASCII control character: C0 (NUL to U+001F) or DEL. */
export function hasAsciiControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** A character as a person can read it in a message: `U+202E`. */
export function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `text` with every control or invisible character written as `\u{…}`, safe to show in a message. */
export function escapeHidden(text: string): string {
  return text.replace(
    new RegExp(`${CONTROL.source}|${INVISIBLE.source}`, 'gu'),
    (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );
}

/** Where a request carries a NUL character (which no text column can store), as a dotted path, or null. */
export function findNulCharacter(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || '(value)' : null;
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return null;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return at;
    const found = findNulCharacter(item, at);
    if (found) return found;
  }
  return null;
}

/** Replaces every occurrence of each secret (of at least 4 characters, the longest first) with `***`. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets.filter((x) => x && x.length >= 4).sort((a, b) => b.length - a.length))
    out = out.split(s).join('***');
  return out;
}
