import type { ValueTransformer } from 'typeorm';

/** PostgreSQL returns bigint as a string; sizes and counts here fit in a JS number. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
