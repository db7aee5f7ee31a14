// What the execution pages share: following an execution with ETag polls, and how an execution is named and linked.
import { poll } from './api.js';
import { h, isRunning, shortId } from './dom.js';

const POLL_MS = 1000;

/**
 * Polls GET /api/executions/:id (an unchanged execution costs a 304) until it finished or `signal` aborts; calls
 * onChange(execution) with every new version, and answers the finished execution.
 */
export async function watchExecution(id, { signal, onChange, first = null }) {
  let execution = first;
  let etag = null;
  while (!signal.aborted && (!execution || isRunning(execution))) {
    if (execution) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (signal.aborted) break;
    const polled = await poll(`/api/executions/${id}`, etag, { signal });
    etag = polled.etag;
    if (polled.body) {
      execution = polled.body;
      onChange(execution);
    }
  }
  return execution;
}

/**
 * Whether a refusal or a failed Rollback is the drift check (a stage's live state changed since the execution): the
 * only case "force" is offered for. The API says so in its sentence.
 */
export function isDriftRefusal(message) {
  return /\bdrift:|changed since/i.test(message ?? '');
}

/** "Deploy 1a2b3c4d" linking to the execution's page. */
export function executionLink(id, kind = 'Execution', testid = undefined) {
  return h('a', { href: `#/executions/${id}`, testid, class: 'job-link' }, `${kind} ${shortId(id)}`);
}

/** "checkout=nginx:1.27, web=nginx:1.26", or an em dash. */
export function artifactsText(artifacts) {
  const entries = Object.entries(artifacts ?? {});
  return entries.length ? entries.map(([service, image]) => `${service}=${image}`).join(', ') : '—';
}

/** "Local Cluster (dev), Sandbox (uat)": the distinct infrastructures an execution's stages ran on. */
export function whereText(stages) {
  const names = [...new Set((stages ?? []).map((s) => infrastructureText(s.infrastructure)))];
  return names.length ? names.join(', ') : '—';
}

/** "Local Cluster (dev)"; the id when the infrastructure was deleted since (its name is then null). */
export function infrastructureText(infrastructure) {
  const name = infrastructure.name ?? infrastructure.id;
  return infrastructure.environment ? `${name} (${infrastructure.environment})` : name;
}

/** "release 1.1.21", or "release 1.1.20 (redeployed as a rollback)". */
export function releaseText(release) {
  return `release ${release.version}${release.mode === 'rollback' ? ' (redeployed as a rollback)' : ''}`;
}
