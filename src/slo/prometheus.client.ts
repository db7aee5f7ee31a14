/**
 * The one file that speaks to Prometheus (its HTTP API, docs/platform-apis.md §6.1). Contract: `instantValue` runs one
 * instant query (`POST /api/v1/query`, form-encoded) and answers the value of its single sample — 0 when the result is
 * empty (no series: no events), NaN or ±Infinity as Prometheus sent them; `rangeValues` runs one range query
 * (`POST /api/v1/query_range`) and answers the samples of its single series ([] when there is none). Anything else (an
 * error envelope, a refused connection, more than one series, a timeout) throws a PrometheusError whose message a
 * person can act on; it never repeats the token. Read-only and safe to retry.
 */

export interface PrometheusConnection {
  /** The server's base URL (`http://prometheus:9090`, or with a path prefix). */
  url: string;
  /** Sent as `Authorization: Bearer <token>`; null sends none. */
  token: string | null;
}

export class PrometheusError extends Error {
  override name = 'PrometheusError';
}

interface Envelope {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

export async function instantValue(
  connection: PrometheusConnection,
  query: string,
  options: { time?: Date; timeoutMs?: number } = {},
): Promise<number> {
  const body = new URLSearchParams({ query });
  if (options.time) body.set('time', String(options.time.getTime() / 1000));
  return sampleValue(await post(connection, 'query', body, query, options.timeoutMs), query);
}

/** One sample of a range query: when (ms since the epoch) and the value. */
export interface RangeSample {
  at: number;
  value: number;
}

export async function rangeValues(
  connection: PrometheusConnection,
  query: string,
  range: { start: Date; end: Date; stepSeconds: number; timeoutMs?: number },
): Promise<RangeSample[]> {
  const body = new URLSearchParams({
    query,
    start: String(range.start.getTime() / 1000),
    end: String(range.end.getTime() / 1000),
    step: String(range.stepSeconds),
  });
  const data = await post(connection, 'query_range', body, query, range.timeoutMs);
  if (data?.resultType !== 'matrix' || !Array.isArray(data.result))
    throw new PrometheusError(
      `The range query ${JSON.stringify(query)} gave a ${data?.resultType} result: expected a matrix.`,
    );
  const series = data.result as { values?: [number, string][] }[];
  if (series.length === 0) return [];
  if (series.length > 1)
    throw new PrometheusError(
      `The query ${JSON.stringify(query)} gave ${series.length} series: aggregate it to one, e.g. with sum(...).`,
    );
  return (series[0]!.values ?? []).map(([at, value]) => ({ at: Math.round(at * 1000), value: parseSample(value) }));
}

/** POSTs one query to `/api/v1/<endpoint>` and answers the envelope's data (throws PrometheusError otherwise). */
async function post(
  connection: PrometheusConnection,
  endpoint: 'query' | 'query_range',
  body: URLSearchParams,
  query: string,
  timeoutMs = 10_000,
): Promise<Envelope['data']> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (connection.token) headers.authorization = `Bearer ${connection.token}`;
  const url = `${connection.url.replace(/\/+$/, '')}/api/v1/${endpoint}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new PrometheusError(`Prometheus at ${connection.url} could not be reached: ${(error as Error).message}`);
  }
  const text = await res.text();
  let envelope: Envelope;
  try {
    envelope = JSON.parse(text) as Envelope;
  } catch {
    throw new PrometheusError(
      `Prometheus at ${connection.url} answered ${res.status} without its JSON envelope: ${text.slice(0, 200)}`,
    );
  }
  if (envelope.status !== 'success')
    throw new PrometheusError(
      `Prometheus refused the query ${JSON.stringify(query)} (${res.status} ${envelope.errorType ?? 'error'}): ${envelope.error ?? text.slice(0, 200)}`,
    );
  return envelope.data;
}

/** The single value of a vector or scalar result (strings such as "NaN" and "+Inf" included). */
function sampleValue(data: Envelope['data'], query: string): number {
  if (data?.resultType === 'scalar') return parseSample((data.result as [number, string])[1]);
  if (data?.resultType !== 'vector' || !Array.isArray(data.result))
    throw new PrometheusError(
      `The query ${JSON.stringify(query)} gave a ${data?.resultType} result: expected a vector.`,
    );
  const series = data.result as { value?: [number, string] }[];
  if (series.length === 0) return 0;
  if (series.length > 1)
    throw new PrometheusError(
      `The query ${JSON.stringify(query)} gave ${series.length} series: aggregate it to one, e.g. with sum(...).`,
    );
  return parseSample(series[0]!.value?.[1]);
}

function parseSample(value: string | undefined): number {
  if (value === '+Inf') return Number.POSITIVE_INFINITY;
  if (value === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(value);
}
