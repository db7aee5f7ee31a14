import { describe, it, expect } from '@jest/globals';
import { parseCommandLine } from './command-line.js';

const env = { BACKTRACK_TOKEN: 'bt_env_token' };
const failsWith = (code: number, pattern: RegExp) =>
  expect.objectContaining({ name: 'CliError', exitCode: code, message: expect.stringMatching(pattern) });

describe('parseCommandLine', () => {
  it('answers help for --help or no command', () => {
    expect(parseCommandLine(['--help'], env)).toEqual({ help: true });
    expect(parseCommandLine([], env)).toEqual({ help: true });
  });

  it('takes the server and token from the environment, options winning', () => {
    const fromEnv = parseCommandLine(['status', 'j1'], { ...env, BACKTRACK_URL: 'http://bt:8080' });
    if ('help' in fromEnv) throw new Error('expected a command, got the help');
    expect(fromEnv.client.baseUrl).toBe('http://bt:8080');
    const fromOptions = parseCommandLine(['status', 'j1', '--url', 'http://other:1'], env);
    if ('help' in fromOptions) throw new Error('expected a command, got the help');
    expect(fromOptions.client.baseUrl).toBe('http://other:1');
    expect(fromOptions.args).toEqual(['j1']);
  });

  it('defaults the server to http://localhost:3000', () => {
    const line = parseCommandLine(['status', 'j1'], env);
    if ('help' in line) throw new Error('expected a command, got the help');
    expect(line.client.baseUrl).toBe('http://localhost:3000');
  });

  it('collects repeated --component options', () => {
    const line = parseCommandLine(
      ['rollback', '--job', 'j1', '--component', 'ApexClass:A', '--component', 'ApexClass:B'],
      env,
    );
    if ('help' in line) throw new Error('expected a command, got the help');
    expect(line.options.component).toEqual(['ApexClass:A', 'ApexClass:B']);
  });

  it('refuses unknown commands, unknown options, options of other commands and missing arguments (exit 2)', () => {
    expect(() => parseCommandLine(['promote'], env)).toThrow(failsWith(2, /Unknown command "promote"/));
    expect(() => parseCommandLine(['deploy', '--colour'], env)).toThrow(failsWith(2, /colour/));
    expect(() => parseCommandLine(['deploy', '--follow'], env)).toThrow(
      failsWith(2, /--follow is not an option of "deploy"/),
    );
    expect(() => parseCommandLine(['status'], env)).toThrow(failsWith(2, /takes ID/));
    expect(() => parseCommandLine(['status', 'a', 'b'], env)).toThrow(failsWith(2, /not: a b/));
    expect(() => parseCommandLine(['status', 'j1', '--url', 'nope'], env)).toThrow(failsWith(2, /not a URL/));
  });

  it('cannot authenticate without a token (exit 3)', () => {
    expect(() => parseCommandLine(['status', 'j1'], {})).toThrow(failsWith(3, /BACKTRACK_TOKEN/));
  });
});

describe('parseCommandLine for releases', () => {
  it('takes release with its subcommand, repeated --package and --variable', () => {
    const line = parseCommandLine(
      ['release', 'create', '--pipeline', 'shop', '--version', '1.1.21', '--package', 'web=1', '--package', 'api=2'],
      env,
    );
    if ('help' in line) throw new Error('expected a command, got the help');
    expect(line.args).toEqual(['create']);
    expect(line.options).toMatchObject({ pipeline: 'shop', version: '1.1.21', package: ['web=1', 'api=2'] });
  });

  it('refuses release without a subcommand, and options of other commands (exit 2)', () => {
    expect(() => parseCommandLine(['release', '--pipeline', 'shop'], env)).toThrow(
      failsWith(2, /"release" takes create\|deploy\|redeploy-previous/),
    );
    expect(() => parseCommandLine(['release', 'deploy', '--artifact', 'a=b', '--force'], env)).toThrow(
      failsWith(2, /--force is not an option of "release"/),
    );
    expect(() => parseCommandLine(['run', '--environment', 'qa'], env)).toThrow(
      failsWith(2, /--environment is not an option of "run"/),
    );
  });
});

describe('parseCommandLine for pipelines', () => {
  it('takes run with a pipeline, repeated --artifact and --var, and --wait', () => {
    const line = parseCommandLine(
      [
        'run',
        '--pipeline',
        'shop',
        '--artifact',
        'checkout=nginx:1.27',
        '--artifact',
        'web=nginx:1.26',
        '--var',
        'a=b',
        '--wait',
      ],
      env,
    );
    if ('help' in line) throw new Error('expected a command, got the help');
    expect(line.options.artifact).toEqual(['checkout=nginx:1.27', 'web=nginx:1.26']);
    expect(line.options.var).toEqual(['a=b']);
    expect(line.options.pipeline).toBe('shop');
  });

  it('takes rollback --execution and --service --infrastructure --last, logs --stage; refuses --stage elsewhere', () => {
    for (const argv of [
      ['rollback', '--execution', 'e1', '--force', '--wait'],
      ['rollback', '--service', 'checkout', '--infrastructure', 'Local Cluster', '--last'],
      ['logs', 'e1', '--stage', 'checkout', '--follow'],
    ])
      expect('help' in parseCommandLine(argv, env)).toBe(false);
    expect(() => parseCommandLine(['status', 'e1', '--stage', 'x'], env)).toThrow(
      failsWith(2, /--stage is not an option of "status"/),
    );
    expect(() => parseCommandLine(['run', '--org', 'x'], env)).toThrow(failsWith(2, /--org is not an option of "run"/));
  });
});
