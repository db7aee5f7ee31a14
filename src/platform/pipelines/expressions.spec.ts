import { describe, it, expect } from '@jest/globals';
import { ExpressionError, expressionsIn, resolveExpressions, type ExpressionScope } from './expressions.js';

const scope: ExpressionScope = {
  artifact: 'nginx:1.27',
  service: 'checkout',
  infrastructure: 'Local Cluster',
  environment: 'dev',
  pipeline: 'release',
  variables: { replicas: '2', tier: 'web' },
  executionId: 'e-1',
  stages: { db: { revision: 3, schema: 'v9' } },
};

function errorOf(run: () => unknown): ExpressionError {
  try {
    run();
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error('expected an ExpressionError');
}

describe('resolveExpressions', () => {
  it('replaces every expression in nested strings, leaving keys and other values alone', () => {
    const spec = {
      namespace: '<+environment.name>',
      manifests: [
        {
          metadata: { name: '<+service.name>', labels: { '<+service.name>': 'x', run: '<+execution.id>' } },
          spec: { replicas: 2, image: '<+artifact.image>', note: 'on <+infrastructure.name> by <+pipeline.name>' },
        },
      ],
      tier: 'tier-<+pipeline.variables.tier>',
    };
    expect(resolveExpressions(spec, scope)).toEqual({
      namespace: 'dev',
      manifests: [
        {
          metadata: { name: 'checkout', labels: { '<+service.name>': 'x', run: 'e-1' } },
          spec: { replicas: 2, image: 'nginx:1.27', note: 'on Local Cluster by release' },
        },
      ],
      tier: 'tier-web',
    });
  });

  it('keeps the type of an output when the string is exactly that expression, and its text inside a string', () => {
    expect(
      resolveExpressions({ a: '<+stages.db.output.revision>', b: 'rev <+stages.db.output.revision>' }, scope),
    ).toEqual({ a: 3, b: 'rev 3' });
    expect(resolveExpressions('<+ pipeline.variables.replicas >', scope)).toBe('2');
  });

  it('does not change the value it was given', () => {
    const spec = { image: '<+artifact.image>' };
    resolveExpressions(spec, scope);
    expect(spec).toEqual({ image: '<+artifact.image>' });
  });

  it('names an unknown expression and lists the known ones', () => {
    const error = errorOf(() => resolveExpressions({ x: ['<+artifact.tag>'] }, scope));
    expect(error.expression).toBe('<+artifact.tag>');
    expect(error.message).toMatch(/^<\+artifact\.tag> is not a known expression; use <\+artifact\.image>/);
    expect(error.status).toBe(400);
  });

  it('names a missing artifact and says how to send it', () => {
    const error = errorOf(() => resolveExpressions('<+artifact.image>', { ...scope, artifact: null }));
    expect(error.message).toContain('no artifact was given for service "checkout"');
    expect(error.message).toContain('{"checkout": "image:tag"}');
  });

  it('names a variable the execution lacks', () => {
    expect(errorOf(() => resolveExpressions('<+pipeline.variables.region>', scope)).message).toContain(
      'it has replicas, tier',
    );
  });

  it('names a stage that has not completed, and an output a stage lacks', () => {
    expect(errorOf(() => resolveExpressions('<+stages.web.output.url>', scope)).message).toContain(
      'stage "web" did not complete before this stage',
    );
    expect(errorOf(() => resolveExpressions('<+stages.db.output.url>', scope)).message).toContain(
      'stage "db" has no output "url" (its outputs: revision, schema)',
    );
  });
});

describe('expressionsIn', () => {
  it('lists each expression once, in order, trimmed', () => {
    expect(
      expressionsIn({ a: '<+artifact.image>', b: ['x <+ service.name > y <+artifact.image>'], c: 3, d: null }),
    ).toEqual(['artifact.image', 'service.name']);
    expect(expressionsIn({ plain: 'no expressions', n: 1 })).toEqual([]);
  });
});
