// The browser's client of the Backtrack API: bearer token from sessionStorage, JSON in and out, errors as ApiError
// carrying the server's `message`, and the job log stream (SSE read with fetch, since EventSource cannot send headers).

const TOKEN_KEY = 'backtrack.token';

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  signIn(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** An API refusal or a network failure (status 0); `message` is meant for people. */
export class ApiError extends Error {
  constructor(status, message, body = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

/** Fired on window when the server refuses the token (401), so the app can ask for another one. */
export const UNAUTHORIZED_EVENT = 'backtrack:unauthorized';

function authHeaders(token = session.token) {
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function send(path, { method = 'GET', json, body, headers = {}, signal, token, cache } = {}) {
  const init = {
    method,
    signal,
    cache,
    headers: { accept: 'application/json', ...authHeaders(token), ...headers },
    body,
  };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['content-type'] = 'application/json';
  }
  try {
    return await fetch(path, init);
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'Cannot reach the Backtrack server. Check your connection, then try again.');
  }
}

async function failure(res) {
  const body = await res.json().catch(() => null);
  const error = new ApiError(res.status, body?.message ?? `The server answered ${res.status} ${res.statusText}.`, body);
  if (res.status === 401) window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT, { detail: error }));
  return error;
}

/** Calls the API and returns its JSON; throws ApiError with the server's message. */
export async function api(path, options) {
  const res = await send(path, options);
  if (!res.ok) throw await failure(res);
  return res.status === 204 ? null : res.json();
}

/**
 * GET for pollers: sends the ETag it has and answers {body: null} on 304 Not Modified (nothing changed), else the new
 * body and ETag.
 */
export async function poll(path, etag, { signal } = {}) {
  const res = await send(path, { signal, cache: 'no-store', headers: etag ? { 'if-none-match': etag } : {} });
  if (res.status === 304) return { body: null, etag };
  if (!res.ok) throw await failure(res);
  return { body: await res.json(), etag: res.headers.get('etag') ?? etag };
}

/** Every log line of an execution (one stage's with `stage`) stored so far, page by page. */
export async function allExecutionLogs(executionId, { stage, signal } = {}) {
  const lines = [];
  for (let after = 0; ;) {
    const query = new URLSearchParams({ after: String(after), limit: '5000', ...(stage ? { stage } : {}) });
    const page = await api(`/api/executions/${executionId}/logs?${query}`, { signal });
    lines.push(...page.logs);
    if (page.logs.length < 5000) return lines;
    after = page.logs.at(-1).seq;
  }
}

/** Every log line of a finished job (or what exists so far), following `nextAfter` page by page. */
export async function allLogs(jobId, { component, signal } = {}) {
  const lines = [];
  for (let after = 0; ;) {
    const query = new URLSearchParams({ after: String(after), limit: '5000', ...(component ? { component } : {}) });
    const page = await api(`/api/jobs/${jobId}/logs?${query}`, { signal });
    lines.push(...page.items);
    if (page.items.length < 5000) return lines;
    after = page.nextAfter;
  }
}

/**
 * Follows a job's log stream until its `end` event (or until `signal` aborts), resuming after the last line seen
 * when the connection drops. Calls onLog(line), onStatus(job) and finally onEnd({status}).
 */
export function followJob(jobId, { component, ...handlers }) {
  return followEvents(`/api/jobs/${jobId}/logs/stream`, { query: component ? { component } : {}, ...handlers });
}

/**
 * Follows a log event stream (a job's, or an execution's `/events`) until its `end` event or until `signal` aborts,
 * resuming after the last line seen when the connection drops: onLog(line), onStatus(data), then onEnd({status}).
 */
export async function followEvents(path, { query = {}, after = 0, signal, onLog, onStatus, onEnd }) {
  while (!signal.aborted) {
    const params = new URLSearchParams({ after: String(after), ...query });
    try {
      const res = await send(`${path}?${params}`, { headers: { accept: 'text/event-stream' }, signal });
      if (!res.ok) throw await failure(res);
      for await (const event of serverSentEvents(res.body)) {
        const data = JSON.parse(event.data);
        if (event.event === 'log') {
          after = data.seq;
          onLog(data);
        } else if (event.event === 'status') onStatus(data);
        else if (event.event === 'end') return onEnd(data);
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.status >= 400) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Parses a text/event-stream body into {event, data, id} records. */
async function* serverSentEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const record = { event: 'message', data: '', id: null };
      for (const line of buffer.slice(0, end).split('\n')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') record.data += record.data ? `\n${value}` : value;
        else if (field === 'event' || field === 'id') record[field] = value;
      }
      buffer = buffer.slice(end + 2);
      if (record.data) yield record;
    }
  }
}
