// Label and field selectors as they come in `labelSelector=` / `fieldSelector=` and in `spec.selector`.

export type Requirement =
  | { readonly key: string; readonly op: 'in' | 'notin'; readonly values: readonly string[] }
  | { readonly key: string; readonly op: 'exists' | '!' };

export type Labels = Readonly<Record<string, string>>;

export class SelectorError extends Error {}

/** Splits on commas that are not inside `( … )`. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

function checkKey(key: string, term: string): string {
  if (!KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${term}"`);
  return key;
}

function parseTerm(term: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (set) {
    const values = set[3]!.split(',').map((v) => v.trim());
    return { key: checkKey(set[1]!, term), op: set[2] as 'in' | 'notin', values };
  }
  const pair = /^([^!=\s]+)\s*(==|!=|=)\s*(\S*)$/.exec(term);
  if (pair) {
    const key = checkKey(pair[1]!, term);
    return pair[2] === '!=' ? { key, op: 'notin', values: [pair[3]!] } : { key, op: 'in', values: [pair[3]!] };
  }
  if (term.startsWith('!')) return { key: checkKey(term.slice(1).trim(), term), op: '!' };
  return { key: checkKey(term, term), op: 'exists' };
}

/** Parses `app=web,tier!=cache,env in (a,b),!legacy`; throws SelectorError on anything else. */
export function parseLabelSelector(text: string): Requirement[] {
  return splitTerms(text).map(parseTerm);
}

export function matchesLabels(requirements: readonly Requirement[], labels: Labels | undefined): boolean {
  return requirements.every((r) => {
    const value = labels?.[r.key];
    switch (r.op) {
      case 'exists':
        return value !== undefined;
      case '!':
        return value === undefined;
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notin':
        return value === undefined || !r.values.includes(value);
    }
  });
}

export interface LabelSelectorObject {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: string;
    readonly values?: readonly string[];
  }[];
}

/** The requirements of a `spec.selector` (matchLabels and matchExpressions). */
export function requirementsOf(selector: LabelSelectorObject): Requirement[] {
  const fromLabels: Requirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({
    key,
    op: 'in',
    values: [value],
  }));
  const fromExpressions = (selector.matchExpressions ?? []).map((e): Requirement => {
    switch (e.operator) {
      case 'In':
        return { key: e.key, op: 'in', values: e.values ?? [] };
      case 'NotIn':
        return { key: e.key, op: 'notin', values: e.values ?? [] };
      case 'Exists':
        return { key: e.key, op: 'exists' };
      case 'DoesNotExist':
        return { key: e.key, op: '!' };
      default:
        throw new SelectorError(`${e.operator} is not a valid label selector operator`);
    }
  });
  return [...fromLabels, ...fromExpressions];
}

/** `spec.selector` written the way the `status.selector` of a Scale carries it (`app=web,tier in (a)`). */
export function selectorString(selector: LabelSelectorObject): string {
  return requirementsOf(selector)
    .map((r) => {
      switch (r.op) {
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        default:
          if (r.values.length === 1) return `${r.key}${r.op === 'in' ? '=' : '!='}${r.values[0]!}`;
          return `${r.key} ${r.op} (${r.values.join(',')})`;
      }
    })
    .join(',');
}

export interface FieldRequirement {
  readonly field: string;
  readonly value: string;
  readonly negated: boolean;
}

const SUPPORTED_FIELDS = new Set(['metadata.name', 'metadata.namespace']);

/** Parses `metadata.name=x,metadata.namespace!=y`: the two fields every resource supports. */
export function parseFieldSelector(text: string): FieldRequirement[] {
  return splitTerms(text).map((term) => {
    const match = /^([^!=\s]+)\s*(==|!=|=)\s*(\S*)$/.exec(term);
    if (!match) throw new SelectorError(`invalid selector: '${term}'; can't understand '${term}'`);
    if (!SUPPORTED_FIELDS.has(match[1]!)) throw new SelectorError(`field label not supported: ${match[1]}`);
    return { field: match[1]!, value: match[3]!, negated: match[2] === '!=' };
  });
}

export function matchesFields(
  requirements: readonly FieldRequirement[],
  metadata: { readonly name?: string; readonly namespace?: string },
): boolean {
  return requirements.every((r) => {
    const actual = r.field === 'metadata.name' ? metadata.name : metadata.namespace;
    return (actual === r.value) !== r.negated;
  });
}
