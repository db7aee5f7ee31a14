import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { instantValue, PrometheusError, rangeValues } from './prometheus.client.js';

// A small server speaking Prometheus's JSON shape (docs/platform-apis.md §6.1).
describe('the Prometheus client', () => {
  let server: http.Server;
  let url: string;
  const seen: { query: string | null; authorization: string | undefined }[] = [];
  const answers: Record<string, { status: number; body: unknown }> = {
    one: {
      status: 200,
      body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, '12.5'] }] } },
    },
    none: { status: 200, body: { status: 'success', data: { resultType: 'vector', result: [] } } },
    nan: {
      status: 200,
      body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, 'NaN'] }] } },
    },
    scalar: { status: 200, body: { status: 'success', data: { resultType: 'scalar', result: [1, '+Inf'] } } },
    two: {
      status: 200,
      body: {
        status: 'success',
        data: {
          resultType: 'vector',
          result: [
            { metric: { a: '1' }, value: [1, '1'] },
            { metric: { a: '2' }, value: [1, '2'] },
          ],
        },
      },
    },
    bad: { status: 400, body: { status: 'error', errorType: 'bad_data', error: 'parse error at char 4' } },
  };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const query = new URLSearchParams(body).get('query');
        seen.push({ query, authorization: req.headers.authorization });
        if (req.url === '/prefix/api/v1/query_range') {
          const params = new URLSearchParams(body);
          const series =
            query === 'range'
              ? [
                  {
                    metric: {},
                    values: [
                      [Number(params.get('start')), '3'],
                      [Number(params.get('end')), 'NaN'],
                    ],
                  },
                ]
              : [];
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: series } }));
          return;
        }
        if (req.url !== '/prefix/api/v1/query') {
          res.writeHead(404).end('not found');
          return;
        }
        const answer = answers[query ?? ''] ?? answers.none!;
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('posts the query form-encoded with the bearer token and reads the single sample', async () => {
    expect(await instantValue({ url, token: 'sekret' }, 'one')).toBe(12.5);
    expect(seen.at(-1)).toEqual({ query: 'one', authorization: 'Bearer sekret' });
    await instantValue({ url, token: null }, 'one');
    expect(seen.at(-1)!.authorization).toBeUndefined();
  });

  it('an empty result is 0 events; NaN and +Inf come through as numbers', async () => {
    expect(await instantValue({ url, token: null }, 'none')).toBe(0);
    expect(await instantValue({ url, token: null }, 'nan')).toBeNaN();
    expect(await instantValue({ url, token: null }, 'scalar')).toBe(Number.POSITIVE_INFINITY);
  });

  it('throws a sentence for more than one series, an error envelope, no envelope and no server', async () => {
    await expect(instantValue({ url, token: 'sekret' }, 'two')).rejects.toThrow('gave 2 series: aggregate it to one');
    const refused = instantValue({ url, token: 'sekret' }, 'bad');
    await expect(refused).rejects.toThrow(PrometheusError);
    await expect(instantValue({ url, token: 'sekret' }, 'bad')).rejects.toThrow(
      '(400 bad_data): parse error at char 4',
    );
    await expect(instantValue({ url: url.replace('/prefix/', '/other'), token: null }, 'one')).rejects.toThrow(
      'without its JSON envelope',
    );
    await expect(instantValue({ url: 'http://127.0.0.1:9', token: 'sekret' }, 'one')).rejects.toThrow(
      'could not be reached',
    );
  });

  it('a range query answers the samples of its one series, in milliseconds', async () => {
    const start = new Date('2026-12-02T10:00:00Z');
    const end = new Date('2026-12-02T11:00:00Z');
    const samples = await rangeValues({ url, token: null }, 'range', { start, end, stepSeconds: 60 });
    expect(samples).toEqual([
      { at: start.getTime(), value: 3 },
      { at: end.getTime(), value: Number.NaN },
    ]);
    expect(await rangeValues({ url, token: null }, 'empty', { start, end, stepSeconds: 60 })).toEqual([]);
    await expect(instantValue({ url, token: null }, 'range')).resolves.toBe(0);
  });
});
