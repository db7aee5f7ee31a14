import { describe, expect, test } from '@jest/globals';
import {
  FrontendMessages,
  MalformedMessageError,
  SSL_REQUEST_CODE,
  STARTUP_CODE,
  type FrontendMessage,
} from './frontend-messages.js';

const untyped = (code: number, payload = Buffer.alloc(0)) => {
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + payload.length, 0);
  head.writeInt32BE(code, 4);
  return Buffer.concat([head, payload]);
};
const typed = (type: string, payload: Buffer) => {
  const head = Buffer.alloc(5);
  head.write(type, 0);
  head.writeInt32BE(4 + payload.length, 1);
  return Buffer.concat([head, payload]);
};

/** What a client sends: SSLRequest, StartupMessage, a query, a Parse with a large parameter, Sync. */
const ssl = untyped(SSL_REQUEST_CODE);
const startup = untyped(STARTUP_CODE, Buffer.from('user\0postgres\0database\0postgres\0\0'));
const query = typed('Q', Buffer.from('SELECT 1\0'));
const large = typed('B', Buffer.alloc(300_000, 7));
const sync = typed('S', Buffer.alloc(0));
const stream = Buffer.concat([ssl, startup, query, large, sync]);

const parts = (messages: FrontendMessage[]) => messages.map((m) => ({ hex: m.bytes.toString('hex'), code: m.code }));
const expected = parts([
  { bytes: ssl, code: SSL_REQUEST_CODE },
  { bytes: startup, code: STARTUP_CODE },
  { bytes: query },
  { bytes: large },
  { bytes: sync },
]);

describe('FrontendMessages', () => {
  test('frames a stream read in one piece: the untyped first messages with their codes, then typed ones', () => {
    const framing = new FrontendMessages();
    expect(parts(framing.push(stream))).toEqual(expected);
    expect(framing.pending).toBe(0);
  });

  test('frames the same messages however the stream is cut, a header split across chunks included', () => {
    for (const size of [1, 2, 3, 5, 7, 9, 64, 1000, 65_536]) {
      const framing = new FrontendMessages();
      const out: FrontendMessage[] = [];
      for (let at = 0; at < stream.length; at += size) out.push(...framing.push(stream.subarray(at, at + size)));
      expect(parts(out)).toEqual(expected);
      expect(framing.pending).toBe(0);
    }
  });

  test('keeps an incomplete message back until its last byte arrives', () => {
    const framing = new FrontendMessages();
    expect(parts(framing.push(Buffer.concat([startup, large.subarray(0, 100_000)])))).toEqual([
      { hex: startup.toString('hex'), code: STARTUP_CODE },
    ]);
    expect(framing.pending).toBe(100_000);
    expect(framing.push(large.subarray(100_000, large.length - 1))).toEqual([]);
    expect(parts(framing.push(large.subarray(large.length - 1)))).toEqual([{ hex: large.toString('hex') }]);
  });

  test('a message whose length is shorter than its header is refused', () => {
    const framing = new FrontendMessages();
    framing.push(startup);
    const bad = Buffer.from([0x51, 0, 0, 0, 2]);
    expect(() => framing.push(bad)).toThrow(MalformedMessageError);
  });
});
