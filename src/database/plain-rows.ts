import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * The rows of `qb` as plain objects with its entity's properties, read as the driver returns them (`jsonb` parsed,
 * `bigint` a string), without TypeORM's entity transformer: for entities with no column transformers, the same
 * values, at a fraction of the cost (10,000 revision or snapshot rows took 30–40 ms of the event loop to hydrate).
 */
export async function plainRows<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  also: Record<string, string> = {},
): Promise<T[]> {
  const metadata = qb.expressionMap.mainAlias!.metadata;
  // a transformer, a relation's or an embedded column would need TypeORM's own reading
  if (metadata.columns.some((c) => c.transformer || c.relationMetadata || c.embeddedMetadata))
    throw new Error(`plainRows reads only plain columns; ${metadata.name} has others: use getMany`);
  const raw: Record<string, unknown>[] = await qb.getRawMany();
  // a column left out of the select (`selectAllBut`) is left out of the rows; `also` adds a selected expression
  const columns = [
    ...metadata.columns.map((c) => [c.propertyName, `${qb.alias}_${c.databaseName}`] as const),
    ...Object.entries(also),
  ].filter(([, key]) => raw.length === 0 || key in raw[0]!);
  return raw.map((r) => {
    const row: Record<string, unknown> = {};
    for (const [property, key] of columns) row[property] = r[key];
    return row as T;
  });
}

/**
 * `qb` selecting every column of its entity but `property`, to read with `plainRows` (which leaves it out of the rows):
 * a rollback of everything keeps the names of its components in its job's options (525 KB for 10,000 components), a
 * snapshot row its file list.
 */
export function selectAllBut<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  property: string,
): SelectQueryBuilder<T> {
  const others = qb.expressionMap.mainAlias!.metadata.columns.filter((c) => c.propertyName !== property);
  return qb.select(others.map((c) => `${qb.alias}.${c.propertyName}`));
}
