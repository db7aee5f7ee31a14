import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { MemberRef } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';

/**
 * Narrows a query over a table with `type` and `full_name` columns to the rows of `refs`, by lower-cased name (the
 * database narrows; `componentKey`, which keeps some types case-sensitive, decides: see `onlyMembers`).
 */
export function whereMembers<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  refs: MemberRef[],
): SelectQueryBuilder<T> {
  return qb.andWhere(
    `(${alias}.type, lower(${alias}.full_name)) IN (SELECT r.type, lower(r.full_name)
       FROM jsonb_to_recordset(CAST(:refs AS jsonb)) AS r(type text, full_name text))`,
    { refs: JSON.stringify(refs.map((r) => ({ type: r.type, full_name: r.fullName }))) },
  );
}

/** The rows `whereMembers` returned that are the components of `refs` by `componentKey`. */
export function onlyMembers<T extends MemberRef>(rows: T[], refs: MemberRef[]): T[] {
  const wanted = new Set(refs.map(componentKey));
  return rows.filter((r) => wanted.has(componentKey(r)));
}
