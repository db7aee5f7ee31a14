import { describe, expect, it } from '@jest/globals';
import { CfError } from './errors.js';
import {
  parseDeploymentRequest,
  parseJsonBody,
  parseLabelSelector,
  parseMetadata,
  parsePackageRequest,
} from './messages.js';

const app = { relationships: { app: { data: { guid: 'a1' } } } };

function refusal(call: () => unknown): { status: number; title: string; detail: string } {
  try {
    call();
  } catch (error) {
    if (!(error instanceof CfError)) throw error;
    return { status: error.status, title: error.title, detail: error.detail };
  }
  throw new Error('the body was accepted');
}

describe('parseDeploymentRequest', () => {
  it('defaults to a rolling deployment of one instance at a time', () => {
    expect(parseDeploymentRequest({ ...app, droplet: { guid: 'd1' } })).toEqual({
      appGuid: 'a1',
      dropletGuid: 'd1',
      revisionGuid: undefined,
      strategy: 'rolling',
      maxInFlight: 1,
      canaryWeights: undefined,
    });
  });

  it('reads a canary deployment of a revision with its steps', () => {
    const body = {
      ...app,
      revision: { guid: 'r1' },
      strategy: 'canary',
      options: { max_in_flight: 2, canary: { steps: [{ instance_weight: 20 }, { instance_weight: 60 }] } },
    };
    expect(parseDeploymentRequest(body)).toMatchObject({ revisionGuid: 'r1', maxInFlight: 2, canaryWeights: [20, 60] });
  });

  it.each([
    [{}, 'relationships.app.data.guid must be a guid (a non-empty string)'],
    [{ ...app, droplet: { guid: 'd' }, revision: { guid: 'r' } }, 'Cannot set both droplet and revision'],
    [{ ...app, strategy: 'blue-green' }, "Strategy must be 'rolling' or 'canary'"],
    [{ ...app, options: { max_in_flight: 0 } }, 'options.max_in_flight must be an integer greater than 0'],
    [
      { ...app, strategy: 'canary', options: { canary: { steps: [{ instance_weight: 101 }] } } },
      'options.canary.steps[0].instance_weight must be an integer between 1 and 100',
    ],
  ])('refuses %j with a 422 naming the field', (body, detail) => {
    expect(refusal(() => parseDeploymentRequest(body))).toMatchObject({
      status: 422,
      title: 'CF-UnprocessableEntity',
      detail: expect.stringContaining(detail),
    });
  });
});

describe('parsePackageRequest and parseJsonBody', () => {
  it('reads a bits package for an app', () => {
    expect(parsePackageRequest({ type: 'bits', ...app })).toEqual({ appGuid: 'a1' });
  });

  it('refuses other package types with a 422 and broken JSON with a 400', () => {
    expect(refusal(() => parsePackageRequest({ type: 'docker', ...app })).status).toBe(422);
    expect(refusal(() => parseJsonBody(Buffer.from('{oops')))).toMatchObject({
      status: 400,
      title: 'CF-MessageParseError',
    });
  });
});

describe('parseMetadata', () => {
  it('reads labels and annotations, empty when absent', () => {
    expect(parseMetadata({})).toEqual({ labels: {}, annotations: {} });
    expect(
      parseMetadata({ metadata: { labels: { 'backtrack.dev/stage': 's-1' }, annotations: { note: 'any text: ok' } } }),
    ).toEqual({ labels: { 'backtrack.dev/stage': 's-1' }, annotations: { note: 'any text: ok' } });
  });

  it('refuses a label value CF would refuse, naming it', () => {
    const answer = refusal(() => parseMetadata({ metadata: { labels: { stage: 'has space' } } }));
    expect(answer.status).toBe(422);
    expect(answer.detail).toContain("'has space'");
  });
});

describe('parseLabelSelector', () => {
  it('matches key=value, key==value and key requirements together', () => {
    const select = parseLabelSelector('a=1,b==2,c')!;
    expect(select({ a: '1', b: '2', c: '' })).toBe(true);
    expect(select({ a: '1', b: '3', c: '' })).toBe(false);
    expect(select({ a: '1', b: '2' })).toBe(false);
    expect(parseLabelSelector(null)).toBeNull();
  });

  it('answers a set-based selector with 400 CF-BadQueryParameter', () => {
    try {
      parseLabelSelector('env in (a,b)');
      throw new Error('accepted');
    } catch (error) {
      expect((error as CfError).status).toBe(400);
    }
  });
});
