/**
 * Whether a statement failed on a unique constraint (PostgreSQL's SQLSTATE 23505, as TypeORM hands it on in
 * `driverError`): another request wrote the same key a moment before. `constraint` narrows it to one constraint.
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const driverError = (error as { driverError?: { code?: string; constraint?: string } } | null)?.driverError;
  return driverError?.code === '23505' && (constraint === undefined || driverError.constraint === constraint);
}
