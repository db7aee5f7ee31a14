import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from './api-client.js';
import { parseCommandLine } from './command-line.js';

const env = { BACKTRACK_TOKEN: 'bt_env_token' };
const failsWith = (code: number, pattern: RegExp) => (error: unknown) => error instanceof CliError && error.exitCode === code && pattern.test(error.message);

describe('parseCommandLine', () => {
  it('answers help for --help or no command', () => {
    assert.deepEqual(parseCommandLine(['--help'], env), { help: true });
    assert.deepEqual(parseCommandLine([], env), { help: true });
  });

  it('takes the server and token from the environment, options winning', () => {
    const fromEnv = parseCommandLine(['status', 'j1'], { ...env, BACKTRACK_URL: 'http://bt:8080' });
    assert.ok(!('help' in fromEnv));
    assert.equal(fromEnv.client.baseUrl, 'http://bt:8080');
    const fromOptions = parseCommandLine(['status', 'j1', '--url', 'http://other:1'], env);
    assert.ok(!('help' in fromOptions));
    assert.equal(fromOptions.client.baseUrl, 'http://other:1');
    assert.deepEqual(fromOptions.args, ['j1']);
  });

  it('defaults the server to http://localhost:3000', () => {
    const line = parseCommandLine(['status', 'j1'], env);
    assert.ok(!('help' in line));
    assert.equal(line.client.baseUrl, 'http://localhost:3000');
  });

  it('collects repeated --component options', () => {
    const line = parseCommandLine(['rollback', '--job', 'j1', '--component', 'ApexClass:A', '--component', 'ApexClass:B'], env);
    assert.ok(!('help' in line));
    assert.deepEqual(line.options.component, ['ApexClass:A', 'ApexClass:B']);
  });

  it('refuses unknown commands, unknown options, options of other commands and missing arguments (exit 2)', () => {
    assert.throws(() => parseCommandLine(['promote'], env), failsWith(2, /Unknown command "promote"/));
    assert.throws(() => parseCommandLine(['deploy', '--colour'], env), failsWith(2, /colour/));
    assert.throws(() => parseCommandLine(['deploy', '--follow'], env), failsWith(2, /--follow is not an option of "deploy"/));
    assert.throws(() => parseCommandLine(['status'], env), failsWith(2, /takes JOB/));
    assert.throws(() => parseCommandLine(['status', 'a', 'b'], env), failsWith(2, /not: a b/));
    assert.throws(() => parseCommandLine(['status', 'j1', '--url', 'nope'], env), failsWith(2, /not a URL/));
  });

  it('cannot authenticate without a token (exit 3)', () => {
    assert.throws(() => parseCommandLine(['status', 'j1'], {}), failsWith(3, /BACKTRACK_TOKEN/));
  });
});
