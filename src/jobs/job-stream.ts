import type { Request, Response } from 'express';
import type { Principal } from '../auth/permissions.js';
import type { TokensService } from '../auth/tokens.service.js';
import type { JobLog } from './job-log.js';
import type { Job } from './job.entity.js';
import { isFinished, type JobsService } from './jobs.service.js';
import { startHeartbeat } from './sse-heartbeat.js';

const STREAM_POLL_MS = 400;

/** What one stream shows: the job, its log lines (of one component, or all) and how each is presented. */
export interface JobStream {
  jobId: string;
  /** Only the lines of this component (`Type:FullName`); all lines when absent. */
  component?: string;
  /** The last seq the client has (Last-Event-ID wins over it). */
  after?: number;
  principal: Principal;
  heartbeatMs: number;
  presentJob(job: Job): Promise<unknown>;
  presentLine(line: JobLog): unknown;
}

/**
 * Server-Sent Events of a job: `log` events (id = seq), `status` when the job changes, `end` once it finished and all
 * lines were sent; a `: heartbeat` comment every heartbeat keeps proxies from closing a quiet stream. The stream
 * closes (event `revoked`) as soon as the token is revoked. Shared by job and execution streams; the caller checks
 * that the principal may read the job first.
 */
export async function streamJob(
  jobs: JobsService,
  tokens: TokensService,
  stream: JobStream,
  req: Request,
  res: Response,
): Promise<void> {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  let after = Number(req.headers['last-event-id'] ?? stream.after ?? 0) || 0;
  let version = -1;
  const closed = new AbortController();
  req.on('close', () => closed.abort());
  const send = (event: string, data: unknown, eventId?: number) =>
    res.write(`${eventId !== undefined ? `id: ${eventId}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const stopHeartbeat = startHeartbeat((chunk) => res.write(chunk), stream.heartbeatMs);
  try {
    while (!closed.signal.aborted) {
      if (!(await tokens.isActive(stream.principal.tokenId))) {
        send('revoked', { message: 'The API token was revoked; this stream is closed.' });
        break;
      }
      const job = await jobs.getForStatus(stream.jobId);
      const lines = await jobs.listLogs(stream.jobId, { component: stream.component, after, limit: 2000 });
      for (const line of lines) send('log', stream.presentLine(line), line.seq);
      after = lines.at(-1)?.seq ?? after;
      if (job.version !== version) {
        version = job.version;
        send('status', await stream.presentJob(job));
      }
      if (isFinished(job) && lines.length === 0) {
        send('end', { status: job.status });
        break;
      }
      if (lines.length < 2000) await new Promise((r) => setTimeout(r, STREAM_POLL_MS));
    }
  } finally {
    stopHeartbeat();
    res.end();
  }
}
