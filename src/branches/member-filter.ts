import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { MemberRef } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';

/**
 * The SQL of a set of members as `(type, lower(full_name))` rows, from two text arrays (`memberArrays`): `unnest`
 * of an array parameter is planned knowing its length (a JSON document is always guessed at 100 rows), so a few
 * members are looked up through a `(…, type, lower(full_name))` index and thousands are joined by hashing.
 */
export function membersIn(types: string, names: string): string {
  return `(SELECT r.type, lower(r.full_name) FROM unnest(CAST(${types} AS text[]), CAST(${names} AS text[])) AS r(type, full_name))`;
}

/** The types and names of `refs` as the two arrays `membersIn` reads. */
export function memberArrays(refs: MemberRef[]): { types: string[]; names: string[] } {
  return { types: refs.map((r) => r.type), names: refs.map((r) => r.fullName) };
}

/**
 * Narrows a query over a table with `type` and `full_name` columns to the rows of `refs`, by lower-cased name (the
 * database narrows; `componentKey`, which keeps some types case-sensitive, decides: see `onlyMembers`).
 */
export function whereMembers<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  refs: MemberRef[],
): SelectQueryBuilder<T> {
  const { types, names } = memberArrays(refs);
  return qb.andWhere(`(${alias}.type, lower(${alias}.full_name)) IN ${membersIn(':memberTypes', ':memberNames')}`, {
    memberTypes: types,
    memberNames: names,
  });
}

/** The rows `whereMembers` returned that are the components of `refs` by `componentKey`. */
export function onlyMembers<T extends MemberRef>(rows: T[], refs: MemberRef[]): T[] {
  const wanted = new Set(refs.map(componentKey));
  return rows.filter((r) => wanted.has(componentKey(r)));
}
