import { describe, expect, it } from '@jest/globals';
import { isUniqueViolation } from './unique-violation.js';

describe('isUniqueViolation', () => {
  const failed = (driverError: unknown) => Object.assign(new Error('query failed'), { driverError });

  it('is true for SQLSTATE 23505 as TypeORM hands it on, and narrows to one constraint when asked', () => {
    const error = failed({ code: '23505', constraint: 'pipeline_versions_pkey' });
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(error, 'pipeline_versions_pkey')).toBe(true);
    expect(isUniqueViolation(error, 'pipelines_name_key')).toBe(false);
  });

  it('is false for any other failure: another SQLSTATE, no driver error, not an object', () => {
    expect(isUniqueViolation(failed({ code: '23503', constraint: 'jobs_pkey' }))).toBe(false);
    expect(isUniqueViolation(new Error('connection terminated'))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
    expect(isUniqueViolation('23505')).toBe(false);
  });
});
