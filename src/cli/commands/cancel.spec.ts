import { describe, it, expect } from '@jest/globals';
import { ExitCode, type ApiClient } from '../api-client.js';
import { parseCommandLine } from '../command-line.js';
import { cancel } from './cancel.js';

const sink = () => {
  let text = '';
  return {
    stream: { write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WritableStream,
    text: () => text,
  };
};

describe('backtrack cancel JOB', () => {
  it('is a command taking the job and --wait', () => {
    const line = parseCommandLine(['cancel', 'j1', '--wait'], { BACKTRACK_TOKEN: 'bt_env_token' });
    expect('help' in line).toBe(false);
    if ('help' in line) return;
    expect(line.args).toEqual(['j1']);
    expect(line.options.wait).toBe(true);
  });

  it('posts to /api/jobs/JOB/cancel, reports the job and exits 0 once the cancel is accepted', async () => {
    const calls: string[] = [];
    const job = {
      id: 'j1',
      kind: 'Deploy',
      status: 'Exception',
      error: 'Canceled by ci before it started; nothing reached Salesforce.',
      progress: {},
      counts: {},
    };
    const client = {
      request: async (method: string, route: string) => {
        calls.push(`${method} ${route}`);
        return job;
      },
    } as unknown as ApiClient;
    const out = sink();
    const err = sink();
    const code = await cancel(
      {
        client,
        json: true,
        streams: { stdout: out.stream, stderr: err.stream, isTTY: false } as never,
        pollIntervalMs: 1,
      },
      'j1',
      {},
    );
    expect(calls[0]).toBe('POST /api/jobs/j1/cancel');
    expect(out.text()).toContain('Canceled by ci');
    expect(code).toBe(ExitCode.Ok);
  });
});
