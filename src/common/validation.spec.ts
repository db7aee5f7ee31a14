import { describe, it, expect } from '@jest/globals';
import { thrownBy } from '../../test/helpers/thrown.js';
import { z } from 'zod';
import { BadRequestError } from './errors.js';
import { parseInput } from './validation.js';

const schema = z.strictObject({
  name: z.string().min(1),
  environment: z.enum(['production', 'uat']),
  auth: z.discriminatedUnion('type', [z.object({ type: z.literal('accessToken'), accessToken: z.string() })]),
});

describe('parseInput', () => {
  it('returns the parsed value when the input is valid', () => {
    const value = parseInput(schema, {
      name: 'a',
      environment: 'uat',
      auth: { type: 'accessToken', accessToken: 'x' },
    });
    expect(value.name).toBe('a');
  });

  it('names every wrong field in one 400 sentence', () => {
    const error = thrownBy(() => parseInput(schema, { environment: 'dev', auth: { type: 'magic' }, extra: 1 }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^Invalid request body: /);
    expect(error.message).toMatch(/name: is required/);
    expect(error.message).toMatch(/environment: must be one of "production", "uat"/);
    expect(error.message).toMatch(/auth\.type/);
    expect(error.message).toMatch(/unknown field\(s\) extra/);
    const fields = (error.details?.fields as { field: string }[]).map((f) => f.field);
    expect(fields.includes('name') && fields.includes('environment')).toBeTruthy();
  });
});
