/** One line of an edit script: kept (` `), removed from a (`-`) or added from b (`+`). */
export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

/** Splits text into lines; a trailing newline does not make an empty last line. CRLF counts as one line end. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * The shortest edit script turning `a` into `b` (Myers' O(ND) greedy algorithm, with the trace kept to walk back).
 * Deletions come before insertions at each change, as `diff -u` prints them. `maxEdits` bounds the work: past it,
 * null is returned and the caller reports the files as different without a line diff.
 */
export function diffLines(a: string[], b: string[], maxEdits = 20_000): DiffLine[] | null {
  // common head and tail are cheap to peel off and make the search much smaller on typical edits
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ma = a.slice(head, a.length - tail);
  const mb = b.slice(head, b.length - tail);
  const middle = myers(ma, mb, maxEdits);
  if (!middle) return null;
  return [
    ...a.slice(0, head).map((text) => ({ op: ' ' as const, text })),
    ...middle,
    ...a.slice(a.length - tail).map((text) => ({ op: ' ' as const, text })),
  ];
}

function myers(a: string[], b: string[], maxEdits: number): DiffLine[] | null {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((text) => ({ op: '+', text }));
  if (m === 0) return a.map((text) => ({ op: '-', text }));
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return null;
  // walk back through the trace from (n, m)
  const out: DiffLine[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d]!;
    const k = x - y;
    const down = k === -d || (k !== d && prev[offset + k - 1]! < prev[offset + k + 1]!);
    const prevK = down ? k + 1 : k - 1;
    const prevX = prev[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      out.push({ op: ' ', text: a[--x]! });
      y--;
    }
    if (down) out.push({ op: '+', text: b[--y]! });
    else out.push({ op: '-', text: a[--x]! });
  }
  while (x > 0 && y > 0) {
    out.push({ op: ' ', text: a[--x]! });
    y--;
  }
  return out.reverse();
}

/**
 * A unified diff (`--- a`, `+++ b`, `@@ -l,s +l,s @@` hunks with `context` lines around each change) of two texts.
 * Empty when they are equal line for line; null when the edit is too large to compute (see `diffLines`).
 */
export function unifiedDiff(a: string, b: string, labels: { a: string; b: string }, context = 3): string | null {
  const lines = diffLines(splitLines(a), splitLines(b));
  if (!lines) return null;
  if (lines.every((l) => l.op === ' ')) return '';
  const out = [`--- ${labels.a}`, `+++ ${labels.b}`];
  // positions (in a and b) before each script line, to number the hunks
  const posA: number[] = [];
  const posB: number[] = [];
  let ia = 0;
  let ib = 0;
  for (const l of lines) {
    posA.push(ia);
    posB.push(ib);
    if (l.op !== '+') ia++;
    if (l.op !== '-') ib++;
  }
  const changed = lines.map((l, i) => (l.op === ' ' ? -1 : i)).filter((i) => i >= 0);
  let i = 0;
  while (i < changed.length) {
    const start = Math.max(0, changed[i]! - context);
    let end = changed[i]!;
    while (i + 1 < changed.length && changed[i + 1]! - end <= 2 * context) end = changed[++i]!;
    end = Math.min(lines.length - 1, end + context);
    i++;
    const hunk = lines.slice(start, end + 1);
    const countA = hunk.filter((l) => l.op !== '+').length;
    const countB = hunk.filter((l) => l.op !== '-').length;
    const fromA = countA === 0 ? posA[start]! : posA[start]! + 1;
    const fromB = countB === 0 ? posB[start]! : posB[start]! + 1;
    out.push(`@@ -${fromA},${countA} +${fromB},${countB} @@`);
    for (const l of hunk) out.push(`${l.op}${l.text}`);
  }
  return out.join('\n') + '\n';
}
