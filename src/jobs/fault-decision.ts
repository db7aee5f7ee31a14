import { SalesforceAuthError, SalesforceUnavailableError } from '../salesforce/metadata-api.gateway.js';

export type FaultKind = 'transient' | 'credentials' | 'other';

/** PostgreSQL went away: the server shut the connection (57P01 admin_shutdown, 57P02, 57P03) or the socket closed. */
const DATABASE_GONE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
]);
const DATABASE_GONE_MESSAGE =
  /Connection terminated|terminating connection|Client has encountered a connection error|connection (is )?closed/i;

/** What kind of fault stopped a job attempt (looking through `cause` and `driverError`, as errors get wrapped). */
export function classifyFault(error: unknown): FaultKind {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof SalesforceUnavailableError) return 'transient';
    if (e instanceof SalesforceAuthError) return 'credentials';
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (
      (typeof code === 'string' && DATABASE_GONE_CODES.has(code)) ||
      (typeof message === 'string' && DATABASE_GONE_MESSAGE.test(message))
    ) {
      return 'transient';
    }
    const wrapped = e as { cause?: unknown; driverError?: unknown };
    e = wrapped.driverError ?? wrapped.cause;
  }
  return 'other';
}

export interface FaultFacts {
  kind: FaultKind;
  message: string;
  /** The job submitted (or may have submitted) work to Salesforce: its outcome must be learned, not guessed. */
  reachedSalesforce: boolean;
  /** Milliseconds since the job first started. */
  elapsedMs: number;
  /** DEPLOY_TIMEOUT_MINUTES in milliseconds. */
  deadlineMs: number;
}

export type FaultDecision = { action: 'retry'; delayMs: number; log: string } | { action: 'fail'; error: string };

export const TRANSIENT_RETRY_MS = 5_000;
export const CREDENTIALS_RETRY_MS = 30_000;

/**
 * What the runner does with a handler's error. A job whose deploy may be running in Salesforce never ends on a
 * passing fault: it waits and polls the same deploy again (Salesforce finishes it either way). A job that has not
 * reached Salesforce retries passing faults until the deploy deadline and fails on refused credentials — then
 * nothing was deployed, and the error says so.
 */
export function decideFault(facts: FaultFacts): FaultDecision {
  const nothingDeployed = 'Nothing was deployed.';
  if (facts.kind === 'transient') {
    if (!facts.reachedSalesforce && facts.elapsedMs > facts.deadlineMs) {
      return { action: 'fail', error: `${facts.message} Gave up after DEPLOY_TIMEOUT_MINUTES. ${nothingDeployed}` };
    }
    return {
      action: 'retry',
      delayMs: TRANSIENT_RETRY_MS,
      log: `${facts.message} The job waits and tries again in ${TRANSIENT_RETRY_MS / 1000} s${facts.reachedSalesforce ? ' (it asks Salesforce about the same deploy; nothing is submitted twice)' : ''}.`,
    };
  }
  if (facts.kind === 'credentials') {
    if (!facts.reachedSalesforce) return { action: 'fail', error: `${facts.message} ${nothingDeployed}` };
    return {
      action: 'retry',
      delayMs: CREDENTIALS_RETRY_MS,
      log: `${facts.message} The deploy was submitted, so the job waits: it asks Salesforce again every ${CREDENTIALS_RETRY_MS / 1000} s and resumes once the org's credentials work.`,
    };
  }
  return { action: 'fail', error: `Unexpected error: ${facts.message}` };
}
