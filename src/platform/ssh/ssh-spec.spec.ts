import { describe, expect, test } from '@jest/globals';
import { BadRequestError } from '../../common/errors.js';
import { parseSshSpec, stepsFor } from './ssh-spec.js';

const base = { package: 'web', installDir: '/srv/web/' };

describe('ssh stage spec', () => {
  test('defaults: no steps, no verification, 300 s per command, the install folder without its trailing slash', () => {
    expect(parseSshSpec(base)).toEqual({
      package: 'web',
      installDir: '/srv/web',
      skipIfAlreadyInstalled: false,
      commandTimeoutSeconds: 300,
      steps: [],
      verify: null,
    });
  });

  test.each([
    [{ ...base, installDir: 'srv/web' }, /installDir: must be an absolute path/],
    [{ ...base, installDir: '/srv/../etc' }, /installDir: must not hold "\.\."/],
    [{ ...base, installDir: '/' }, /installDir: must not be "\/"/],
    [{ ...base, installDir: "/srv/we'b" }, /installDir/],
    [{ ...base, package: '../x' }, /package: must be a package name/],
    [
      { ...base, steps: [{ name: 'a', run: 'x', skipOnRollback: true, rollbackOnly: true }] },
      /steps\.0: cannot be both/,
    ],
    [{ ...base, steps: [{ name: 'a', phase: 'later', run: 'x' }] }, /steps\.0\.phase: must be one of/],
    [{ ...base, verify: { http: { url: 'https://x' } } }, /verify/],
    [{ ...base, extra: 1 }, /unknown field/],
  ])('refuses %j naming the field', (spec, message) => {
    expect(() => parseSshSpec(spec)).toThrow(BadRequestError);
    expect(() => parseSshSpec(spec)).toThrow(message);
  });

  test('two steps with one name are refused', () => {
    expect(() =>
      parseSshSpec({
        ...base,
        steps: [
          { name: 'Go', run: 'a' },
          { name: 'go', run: 'b' },
        ],
      }),
    ).toThrow(/steps\.1\.name: "go" names two steps/);
  });

  test('steps run in phase order; a deployment skips rollbackOnly, a rollback skips skipOnRollback, a switch back runs rollbackOnly alone', () => {
    const { steps } = parseSshSpec({
      ...base,
      steps: [
        { name: 'notify', phase: 'postDeploy', run: 'n', rollbackOnly: true },
        { name: 'start', run: 's' },
        { name: 'migrate', phase: 'preDeploy', run: 'm', skipOnRollback: true },
        { name: 'warm', phase: 'postDeploy', run: 'w' },
      ],
    });
    const names = (mode: Parameters<typeof stepsFor>[1]) => stepsFor(steps, mode).map((s) => s.name);
    expect(names('deploy')).toEqual(['migrate', 'start', 'warm']);
    expect(names('rollback')).toEqual(['start', 'notify', 'warm']);
    expect(names('switch-back')).toEqual(['notify']);
  });
});
