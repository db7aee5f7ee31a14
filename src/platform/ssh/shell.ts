/** One argument for a POSIX shell: single-quoted, a single quote inside written as '\''. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
