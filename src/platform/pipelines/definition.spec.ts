import { describe, expect, it } from '@jest/globals';
import { thrownBy as thrown } from '../../../test/helpers/thrown.js';
import { parseDefinitionInput, pipelineBody } from './definition.js';

const STAGE = { name: 'checkout', service: 'checkout', infrastructure: 'Local Cluster', spec: { manifests: [] } };

describe('parseDefinitionInput', () => {
  it('fills the defaults: failure fails the pipeline, ten minutes to become steady, no variables, no rollback steps', () => {
    expect(parseDefinitionInput({ stages: [STAGE] })).toEqual({
      variables: {},
      stages: [{ ...STAGE, failureStrategy: 'fail', progressDeadlineSeconds: 600, rollbackSteps: [] }],
    });
  });

  it('reads YAML, keeping expressions as strings until the stage runs', () => {
    const parsed = parseDefinitionInput(
      [
        'variables: {replicas: "2"}',
        'stages:',
        '  - name: web',
        '    service: checkout',
        '    infrastructure: Local Cluster',
        '    failureStrategy: ignore',
        '    spec:',
        '      manifests:',
        '        - {kind: Deployment, image: <+artifact.image>}',
      ].join('\n'),
    );
    expect(parsed.variables).toEqual({ replicas: '2' });
    expect(parsed.stages[0]).toMatchObject({
      name: 'web',
      failureStrategy: 'ignore',
      spec: { manifests: [{ kind: 'Deployment', image: '<+artifact.image>' }] },
    });
  });

  it('names the field that is wrong', () => {
    expect(thrown(() => parseDefinitionInput({ stages: [{ ...STAGE, failureStrategy: 'retry' }] })).message).toBe(
      'Invalid definition: stages.0.failureStrategy: must be one of "fail", "ignore".',
    );
    expect(thrown(() => parseDefinitionInput({ stages: [] })).message).toMatch(/stages: a pipeline needs at least one/);
    expect(thrown(() => parseDefinitionInput({ stages: [{ ...STAGE, name: 'a b' }] })).message).toMatch(
      /stages\.0\.name: must be 1 to 63 letters/,
    );
  });

  it('refuses two stages of the same name (expressions could not tell them apart)', () => {
    expect(thrown(() => parseDefinitionInput({ stages: [STAGE, { ...STAGE, name: 'Checkout' }] })).message).toBe(
      'Invalid definition: two stages are named "Checkout"; stage names must differ.',
    );
  });

  it('says which line of a YAML document cannot be read, without quoting it', () => {
    const error = thrown(() => parseDefinitionInput('stages:\n  - name: [unclosed\n    token: s3cr3t'));
    expect(error.message).toMatch(
      /^The definition cannot be read as YAML or JSON \(line \d+, column \d+\); fix its syntax\.$/,
    );
    expect(error.message).not.toContain('s3cr3t');
  });
});

describe('pipelineBody', () => {
  it('takes a YAML document holding the name beside the stages', () => {
    expect(pipelineBody('name: shop\nstages: []\n')).toEqual({ name: 'shop', definition: { stages: [] } });
  });

  it('leaves a JSON body as it came', () => {
    const body = { name: 'shop', definition: { stages: [] } };
    expect(pipelineBody(body)).toBe(body);
  });
});
