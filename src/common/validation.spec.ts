import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
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
    assert.equal(value.name, 'a');
  });

  it('names every wrong field in one 400 sentence', () => {
    assert.throws(
      () => parseInput(schema, { environment: 'dev', auth: { type: 'magic' }, extra: 1 }),
      (error: unknown) => {
        assert.ok(error instanceof BadRequestError);
        assert.equal(error.status, 400);
        assert.match(error.message, /^Invalid request body: /);
        assert.match(error.message, /name: is required/);
        assert.match(error.message, /environment: must be one of "production", "uat"/);
        assert.match(error.message, /auth\.type/);
        assert.match(error.message, /unknown field\(s\) extra/);
        const fields = (error.details?.fields as { field: string }[]).map((f) => f.field);
        assert.ok(fields.includes('name') && fields.includes('environment'));
        return true;
      },
    );
  });
});
