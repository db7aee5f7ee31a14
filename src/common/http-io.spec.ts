import { createServer, request } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { BodyTooLargeError, listen, readBody, sendJson } from './http-io.js';

/** Starts a server that reads the body (up to `maxBytes`) and echoes it as JSON, sends `body` once, answers the reply. */
async function roundTrip(body: string, maxBytes: number): Promise<{ status: number; text: string; type: string }> {
  const server = createServer((req, res) => {
    readBody(req, maxBytes).then(
      (got) => sendJson(res, 200, { got: got.toString('utf8') }),
      (error: unknown) => sendJson(res, error instanceof BodyTooLargeError ? 413 : 500, { error: String(error) }),
    );
  });
  const address = await listen(server, 0, '127.0.0.1');
  try {
    return await new Promise((resolve, reject) => {
      const req = request(`http://${address}/`, { method: 'POST' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            text: Buffer.concat(chunks).toString('utf8'),
            type: String(res.headers['content-type']),
          }),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('http-io', () => {
  it('listens on a free port and answers host:port; a body within the limit is read whole', async () => {
    const answer = await roundTrip('hello', 10);
    expect(answer).toEqual({ status: 200, text: '{"got":"hello"}', type: 'application/json' });
  });

  it('rejects a body past the limit with BodyTooLargeError', async () => {
    const answer = await roundTrip('x'.repeat(64), 10);
    expect(answer.status).toBe(413);
    expect(answer.text).toContain('Request body exceeds 10 bytes');
  });
});
