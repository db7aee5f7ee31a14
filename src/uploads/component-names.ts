import { codePoint, escapeHidden, hiddenCharacter } from '../common/text.js';

interface Named {
  type: string;
  fullName: string;
}

export interface NameProblem {
  message: string;
  /** The components concerned, as `Type:FullName` (hidden characters escaped). */
  components: string[];
}

const shown = (c: Named): string => escapeHidden(`${c.type}:${c.fullName}`);

/**
 * Why an upload's components cannot be stored as they are, or null:
 * - a name with a control or invisible formatting character (a right-to-left override U+202E, a zero-width space):
 *   it would show as a different name than it is, in Backtrack and in Salesforce's setup pages;
 * - two components whose names differ only in case (`Ok` and `OK`): Salesforce names are case-insensitive, so they
 *   are one component in the org, and the deploy would keep one of them by chance.
 */
export function componentNameProblem(components: Named[]): NameProblem | null {
  const hidden = components.filter((c) => hiddenCharacter(c.fullName) !== null);
  if (hidden.length) {
    const first = hiddenCharacter(hidden[0]!.fullName)!;
    return {
      message:
        `Component names hold control or invisible characters (${hidden.map(shown).join(', ')}; the first is ${codePoint(first)}): ` +
        'rename those files; Salesforce names are plain text.',
      components: hidden.map(shown),
    };
  }
  const byKey = new Map<string, Named[]>();
  for (const c of components) {
    const key = `${c.type}:${c.fullName}`.toLowerCase();
    byKey.set(key, [...(byKey.get(key) ?? []), c]);
  }
  const clashes = [...byKey.values()].filter((group) => group.length > 1);
  if (clashes.length) {
    const groups = clashes.map((group) => group.map(shown).join(' and '));
    return {
      message: `Component names differ only in case (${groups.join('; ')}): Salesforce treats them as one component; keep one of each.`,
      components: clashes.flat().map(shown),
    };
  }
  return null;
}
