import { describe, it, expect } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { Request, Response } from 'express';
import { Job } from './job.entity.js';
import type { Principal } from '../auth/permissions.js';
import type { TokensService } from '../auth/tokens.service.js';
import { JobsController } from './jobs.controller.js';
import type { JobsService } from './jobs.service.js';
import { HEARTBEAT, startHeartbeat } from './sse-heartbeat.js';

/** Waits until `done()` holds (the machine may be busy: no fixed sleeps for what must happen). */
async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await delay(5);
  }
}

const JOB_ID = '6f1c1f4e-3a55-4c55-9a57-8f3f7c1b2a10';
const PRINCIPAL: Principal = { tokenId: 't1', name: 'reader', permissions: ['read'], environments: null };
/** A token that stays active: the heartbeat, not revocation, is under test here. */
const ACTIVE_TOKENS = { isActive: () => Promise.resolve(true) } as unknown as TokensService;

/** A job that stays In Progress (no log lines) until `finish()` is called. */
function fakeJobs() {
  let status: Job['status'] = 'In Progress';
  const service = {
    getForStatus: () =>
      Promise.resolve(Object.assign(new Job(), { id: JOB_ID, status, version: status === 'Completed' ? 2 : 1 })),
    assertReadable: () => Promise.resolve(),
    listLogs: () => Promise.resolve([]),
    present: (job: Job) => Promise.resolve({ id: job.id, status: job.status }),
  };
  return { service: service as unknown as JobsService, finish: () => (status = 'Completed') };
}

/** Records what the stream writes, and whether it ended. */
function fakeResponse() {
  const chunks: string[] = [];
  let ended = false;
  const res = {
    writeHead: () => res,
    write: (chunk: string) => {
      if (ended) throw new Error('write after end');
      chunks.push(chunk);
      return true;
    },
    end: () => {
      ended = true;
    },
  };
  return { res: res as unknown as Response, chunks, ended: () => ended };
}

function fakeRequest() {
  return Object.assign(new EventEmitter(), { headers: {} }) as unknown as Request & EventEmitter;
}

describe('the SSE heartbeat', () => {
  it('writes a comment line every interval until stopped, then never again', async () => {
    const written: string[] = [];
    const stop = startHeartbeat((chunk) => written.push(chunk), 10);
    await until(() => written.length >= 3);
    stop();
    const count = written.length;
    expect(new Set(written)).toEqual(new Set([': heartbeat\n\n']));
    await delay(40);
    expect(written.length).toBe(count);
  });

  it('keeps a quiet log stream of a running job alive and stops when the job ends', async () => {
    const jobs = fakeJobs();
    const { res, chunks, ended } = fakeResponse();
    const controller = new JobsController(jobs.service, { SSE_HEARTBEAT_SECONDS: 0.05 }, ACTIVE_TOKENS);
    const streaming = controller.stream(JOB_ID, {}, fakeRequest(), res, PRINCIPAL);
    await until(() => chunks.filter((c) => c === HEARTBEAT).length >= 5);
    expect(ended()).toBe(false);
    jobs.finish();
    await streaming;
    expect(ended()).toBe(true);
    expect(chunks.at(-1)).toMatch(/^event: end\n/);
    const count = chunks.length;
    await delay(150);
    expect(chunks.length).toBe(count);
  });

  it('stops the heartbeat when the client goes away', async () => {
    const jobs = fakeJobs();
    const { res, chunks, ended } = fakeResponse();
    const req = fakeRequest();
    const controller = new JobsController(jobs.service, { SSE_HEARTBEAT_SECONDS: 0.02 }, ACTIVE_TOKENS);
    const streaming = controller.stream(JOB_ID, {}, req, res, PRINCIPAL);
    await until(() => chunks.includes(HEARTBEAT));
    req.emit('close');
    await streaming;
    expect(ended()).toBe(true);
    const count = chunks.length;
    await delay(100);
    expect(chunks.length).toBe(count);
  });
});
