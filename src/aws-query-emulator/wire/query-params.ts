// AWS Query request bodies: `Action=…&Version=…&A.member.1=x&B.C=2` read as a flat map with typed accessors.

/** A client fault with the code and message the answer carries (`ValidationError`, `InvalidParameterValue`…). */
export class QueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export class QueryParams {
  private constructor(private readonly values: ReadonlyMap<string, string>) {}

  static parse(body: string): QueryParams {
    return new QueryParams(new Map(new URLSearchParams(body)));
  }

  string(key: string): string | undefined {
    return this.values.get(key);
  }

  requiredString(key: string): string {
    const value = this.values.get(key);
    if (value === undefined || value === '')
      throw new QueryError(
        'ValidationError',
        `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`,
      );
    return value;
  }

  integer(key: string): number | undefined {
    const raw = this.values.get(key);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value))
      throw new QueryError(
        'ValidationError',
        `Value '${raw}' at '${key}' failed to satisfy constraint: Member must be an integer`,
      );
    return value;
  }

  requiredInteger(key: string): number {
    const value = this.integer(key);
    if (value === undefined) this.requiredString(key);
    return value!;
  }

  boolean(key: string): boolean | undefined {
    const raw = this.values.get(key);
    if (raw === undefined) return undefined;
    if (raw !== 'true' && raw !== 'false')
      throw new QueryError(
        'ValidationError',
        `Value '${raw}' at '${key}' failed to satisfy constraint: Member must be true or false`,
      );
    return raw === 'true';
  }

  /**
   * A list in order of its 1-based index: `prefix.1`, `prefix.2`… (EC2's flattened lists) or, with `member`,
   * `prefix.member.1`… (Auto Scaling's).
   */
  list(prefix: string, style: 'member' | 'flat'): string[] {
    const head = style === 'member' ? `${prefix}.member.` : `${prefix}.`;
    return this.indexed(head)
      .map((index) => this.values.get(`${head}${index}`))
      .filter((v): v is string => v !== undefined);
  }

  /** The 1-based indexes used under `head` (`head1`, `head2.Key`…), ascending. */
  indexed(head: string): number[] {
    const found = new Set<number>();
    for (const key of this.values.keys()) {
      if (!key.startsWith(head)) continue;
      const match = /^(\d+)(\.|$)/.exec(key.slice(head.length));
      if (match) found.add(Number(match[1]));
    }
    return [...found].sort((a, b) => a - b);
  }

  has(prefix: string): boolean {
    for (const key of this.values.keys()) if (key === prefix || key.startsWith(`${prefix}.`)) return true;
    return false;
  }
}
