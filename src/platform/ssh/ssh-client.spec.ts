import { EventEmitter } from 'node:events';
import { describe, it, expect } from '@jest/globals';
import {
  address,
  exportPrefix,
  LineSplitter,
  MAX_LINE_CHARS,
  OutputTail,
  remoteScript,
  shellQuote,
  Ssh2Session,
  SshHostKeyMismatch,
  unreachableMessage,
} from './ssh-client.js';
import type { SshHost } from './ssh-connection.js';

const HOST: SshHost = {
  host: '10.0.0.7',
  port: 2222,
  username: 'deploy',
  hostKeyFingerprint: 'SHA256:UBdhWHDeO66nUmSJDBfJvIiE5TAxva2TCukAu3L3Si0',
};

function split(chunks: (string | Buffer)[]) {
  const lines: string[] = [];
  let text = '';
  const splitter = new LineSplitter(
    (line) => lines.push(line),
    (piece) => (text += piece),
  );
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  splitter.end();
  return { lines, text };
}

describe('LineSplitter', () => {
  it('delivers lines across chunks, and the last one without a newline at the end', () => {
    expect(split(['one\ntw', 'o\n', 'three']).lines).toEqual(['one', 'two', 'three']);
    expect(split(['one\n']).lines).toEqual(['one']);
    expect(split([]).lines).toEqual([]);
  });

  it('drops the \\r of CRLF and keeps empty lines', () => {
    expect(split(['a\r\n\r\nb\r\n']).lines).toEqual(['a', '', 'b']);
  });

  it('keeps a UTF-8 character cut between two chunks whole, and passes the text on unchanged', () => {
    const bytes = Buffer.from('déjà vu\r\nlast');
    const { lines, text } = split([bytes.subarray(0, 2), bytes.subarray(2, 5), bytes.subarray(5)]);
    expect(lines).toEqual(['déjà vu', 'last']);
    expect(text).toBe('déjà vu\r\nlast');
  });

  it('cuts a line longer than MAX_LINE_CHARS into pieces', () => {
    const { lines } = split(['x'.repeat(MAX_LINE_CHARS * 2 + 5)]);
    expect(lines.map((l) => l.length)).toEqual([MAX_LINE_CHARS, MAX_LINE_CHARS, 5]);
  });
});

describe('OutputTail', () => {
  it('keeps everything under its limit and the end of what is over it', () => {
    const tail = new OutputTail(10);
    tail.append('abc');
    expect(tail.text()).toBe('abc');
    for (let i = 0; i < 10; i++) tail.append(`${i}-`);
    expect(tail.text()).toBe('5-6-7-8-9-');
  });
});

describe('exportPrefix and shellQuote', () => {
  it('exports each variable single-quoted, quotes included', () => {
    expect(exportPrefix({ A: 'plain', B: `it's "q" $HOME \`x\`` })).toBe(
      `export A='plain'; export B='it'\\''s "q" $HOME \`x\`'; `,
    );
    expect(exportPrefix(undefined)).toBe('');
    expect(shellQuote('')).toBe(`''`);
    expect(shellQuote(`'`)).toBe(`''\\'''`);
  });

  it('refuses a name a shell cannot take', () => {
    expect(() => exportPrefix({ 'A;rm -rf /': 'x' })).toThrow(/"A;rm -rf \/" is not a shell name/);
    expect(() => exportPrefix({ '1A': 'x' })).toThrow(/not a shell name/);
  });
});

describe('remoteScript', () => {
  it('exports first, runs the command quoted with no input, and exits with its status', () => {
    const script = remoteScript(`echo "it's" | tr a b`, { RELEASE: '1.1.21' });
    expect(script.startsWith(`export RELEASE='1.1.21'; `)).toBe(true);
    expect(script).toContain(`-c 'echo "it'\\''s" | tr a b' 0</dev/null &`);
    expect(script).toContain('kill -KILL 0');
    expect(script.endsWith('exit $bt_status')).toBe(true);
  });
});

describe('unreachableMessage', () => {
  it('names host:port and the reason a person can act on', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:2222'), { code: 'ECONNREFUSED' });
    expect(unreachableMessage(HOST, refused, 20_000)).toBe('cannot reach 10.0.0.7:2222: connection refused');
    const timeout = Object.assign(new Error('Timed out while waiting for handshake'), { level: 'client-timeout' });
    expect(unreachableMessage(HOST, timeout, 5000)).toBe(
      'cannot reach 10.0.0.7:2222: timed out: no SSH handshake within 5000 ms',
    );
    const auth = Object.assign(new Error('All configured authentication methods failed'), {
      level: 'client-authentication',
    });
    expect(unreachableMessage(HOST, auth, 5000)).toBe(
      'cannot log in to 10.0.0.7:2222 as deploy: the host refused the private key',
    );
    const handshake = Object.assign(new Error('no matching key exchange algorithm'), { level: 'handshake' });
    expect(unreachableMessage(HOST, handshake, 5000)).toMatch(/SSH handshake failed \(no matching key exchange/);
  });

  it('writes an IPv6 address in brackets', () => {
    expect(address({ host: '::1', port: 22 })).toBe('[::1]:22');
    expect(address(HOST)).toBe('10.0.0.7:2222');
  });
});

describe('SshHostKeyMismatch', () => {
  it('names the host and both fingerprints, and says nothing ran', () => {
    const offered = 'SHA256:J7S0h/b92IKEkyT9dFQROf/MAlFFW28X+w9+XW7j0zY';
    expect(new SshHostKeyMismatch(HOST, offered).message).toBe(
      `Host key of 10.0.0.7:2222 does not match: pinned ${HOST.hostKeyFingerprint}, the host offered ${offered}. ` +
        "Nothing was run; if the host key was rotated, update the infrastructure's hostKeyFingerprint.",
    );
  });
});

describe('Ssh2Session.exec', () => {
  it('keeps the exit status when ssh2 emits the output, the exit and the close from the packet that opened the channel', async () => {
    // what a loaded machine produced: one read carried the channel confirmation, the output, exit-status and close
    const client = Object.assign(new EventEmitter(), {
      exec(_script: string, callback: (error: Error | undefined, channel: unknown) => void) {
        const channel = Object.assign(new EventEmitter(), { stderr: new EventEmitter(), end() {}, close() {} });
        callback(undefined, channel);
        channel.emit('data', Buffer.from('/srv/web/releases/1.0.1\n'));
        channel.emit('exit', 0);
        process.nextTick(() => channel.emit('close'));
      },
    });
    const session = new Ssh2Session(client as never, HOST);
    const result = await session.exec('readlink current', { timeoutMs: 5_000 });
    expect([result.exitCode, result.stdout]).toEqual([0, '/srv/web/releases/1.0.1\n']);
  });
});
