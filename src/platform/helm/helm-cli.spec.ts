import { describe, expect, it } from '@jest/globals';
import { StageFailed } from '../provider.js';
import { HelmCli, errorSentence } from './helm-cli.js';

describe('helm-cli', () => {
  it('keeps helm’s Error: sentence', () => {
    expect(errorSentence('some warning\nError: release has no 9 version\n')).toBe('release has no 9 version');
    expect(errorSentence('')).toBeNull();
    expect(errorSentence(`Error: ${'x'.repeat(600)}`)).toHaveLength(500);
  });

  it('a missing helm binary is a clear stage failure', async () => {
    const cli = new HelmCli({
      bin: '/nonexistent/helm',
      connection: { server: 'http://127.0.0.1:1', token: 'tok-secret' },
    });
    await expect(cli.history('shop', 'default')).rejects.toThrow(StageFailed);
    await expect(cli.history('shop', 'default')).rejects.toThrow(
      /helm binary "\/nonexistent\/helm" was not found.*HELM_BIN/,
    );
  });
});
