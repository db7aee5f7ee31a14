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

/**
 * The rows of `qb` as plain objects with its entity's properties, read as the driver returns them (`jsonb` parsed,
 * `bigint` a string), without TypeORM's entity transformer: for entities with no column transformers, the same
 * values, at a fraction of the cost (10,000 revision or snapshot rows took 30–40 ms of the event loop to hydrate).
 */
export async function plainRows<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>): Promise<T[]> {
  const metadata = qb.expressionMap.mainAlias!.metadata;
  if (metadata.columns.some((c) => c.transformer)) throw new Error(`plainRows: ${metadata.name} has transformers`);
  const columns = metadata.columns.map((c) => [c.propertyName, `${qb.alias}_${c.databaseName}`] as const);
  const raw: Record<string, unknown>[] = await qb.getRawMany();
  return raw.map((r) => {
    const row: Record<string, unknown> = {};
    for (const [property, key] of columns) row[property] = r[key];
    return row as T;
  });
}
