import { expect } from '@jest/globals';
import { ADMIN_TOKEN, type Harness } from './backtrack.harness.js';
import { SAMPLE_PROJECT, zipFolder } from './project-zip.js';

/** Creates a token with the admin token (or `by`) and returns the secret; throws when refused. */
export async function createToken(
  h: Harness,
  permissions: string[],
  environments?: string[],
  by: string = ADMIN_TOKEN,
): Promise<{ id: string; token: string }> {
  const body = {
    name: `${permissions.join('+')}@${environments?.join(',') ?? 'all'}`,
    permissions,
    ...(environments ? { environments } : {}),
  };
  const res = await h.api('POST', '/api/tokens', { body, token: by });
  if (res.status !== 201) throw new Error(`token not created: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, token: res.body.token };
}

/** Registers an org on the built-in emulator (its default org, by access token) in `environment`; returns its id. */
export async function registerEmulatorOrg(h: Harness, name: string, environment: string): Promise<string> {
  const emulator = h.backtrack.emulator!;
  const res = await h.api('POST', '/api/orgs', {
    body: {
      name,
      environment,
      instanceUrl: emulator.url,
      auth: { type: 'accessToken', accessToken: emulator.defaultOrg.accessToken },
    },
  });
  if (res.status !== 201) throw new Error(`org not registered: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** A branch holding the sample project as revision 1; returns its id. */
export async function sampleBranch(h: Harness, name: string): Promise<string> {
  const branch = await h.api('POST', '/api/branches', { body: { name } });
  if (branch.status !== 201) throw new Error(`branch not created: ${JSON.stringify(branch.body)}`);
  const upload = await h.api('POST', `/api/branches/${branch.body.id}/revisions`, {
    body: await zipFolder(SAMPLE_PROJECT),
  });
  if (upload.status !== 201) throw new Error(`upload refused: ${JSON.stringify(upload.body)}`);
  return branch.body.id;
}

/** An open Server-Sent Events stream: the events received so far, and a promise for its end. */
export interface OpenStream {
  status: number;
  events: { event: string; data: string }[];
  /** Resolves when the server closes the stream. */
  closed: Promise<void>;
  cancel(): Promise<void>;
}

/** Opens `route` as an event stream with `token` and reads it in the background. */
export async function openStream(url: string, route: string, token: string): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await fetch(url + route, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  const events: { event: string; data: string }[] = [];
  const reader = res.body!.getReader();
  const closed = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
          events.push({ event, data });
        }
      }
    } catch {
      /* aborted by cancel() */
    }
  })();
  return {
    status: res.status,
    events,
    closed,
    async cancel() {
      controller.abort();
      await closed;
    },
  };
}

/** Resolves true when `promise` settles within `ms`, false otherwise. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Revokes the token a log stream was opened with and checks the stream: open until then (for `openMs`), closed
 * within two seconds of the revocation, its last event `revoked`. `revoke` answers the DELETE /api/tokens/:id.
 */
export async function expectClosedOnRevocation(
  stream: OpenStream,
  revoke: () => Promise<{ status: number }>,
  openMs: number,
): Promise<void> {
  expect(stream.status).toBe(200);
  expect(await settlesWithin(stream.closed, openMs)).toBe(false);
  expect((await revoke()).status).toBe(200);
  expect(await settlesWithin(stream.closed, 2_000)).toBe(true);
  expect(stream.events.at(-1)?.event).toBe('revoked');
}
