import { describe, expect, it } from '@jest/globals';
import { EcsError } from './ecs-error.js';
import { parseDeploymentConfiguration } from './services.js';

function message(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    if (error instanceof EcsError) return `${error.type}: ${error.message}`;
    throw error;
  }
  return 'accepted';
}

describe('parseDeploymentConfiguration', () => {
  it('defaults to 200% / 100% without a circuit breaker, and merges what a request gives', () => {
    const initial = parseDeploymentConfiguration({});
    expect(initial).toEqual({
      deploymentCircuitBreaker: { enable: false, rollback: false },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    });
    const withBreaker = parseDeploymentConfiguration(
      { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } } },
      initial,
    );
    expect(withBreaker).toMatchObject({
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
    });
    const narrower = parseDeploymentConfiguration(
      { deploymentConfiguration: { minimumHealthyPercent: 50 } },
      withBreaker,
    );
    expect(narrower).toMatchObject({ deploymentCircuitBreaker: { enable: true }, minimumHealthyPercent: 50 });
  });

  it('refuses a half-given breaker, out-of-range percents and a configuration that can never replace a task', () => {
    expect(
      message(() =>
        parseDeploymentConfiguration({ deploymentConfiguration: { deploymentCircuitBreaker: { enable: true } } }),
      ),
    ).toMatch(/^InvalidParameterException: deploymentConfiguration.deploymentCircuitBreaker needs both/);
    expect(message(() => parseDeploymentConfiguration({ deploymentConfiguration: { maximumPercent: 300 } }))).toMatch(
      /maximumPercent must be a whole number from 100 to 200/,
    );
    expect(
      message(() =>
        parseDeploymentConfiguration({ deploymentConfiguration: { maximumPercent: 100, minimumHealthyPercent: 100 } }),
      ),
    ).toMatch(/maximumPercent must be above minimumHealthyPercent/);
    expect(message(() => parseDeploymentConfiguration({ deploymentConfiguration: 'fast' }))).toMatch(
      /deploymentConfiguration must be a JSON object/,
    );
  });
});
