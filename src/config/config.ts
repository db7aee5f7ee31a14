import path from 'node:path';
import { z } from 'zod';

/** What each deployment of Backtrack can set, all through the environment (documented in the README). */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  DATA_DIR: z.string().min(1).default('./.backtrack'),
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v), 'a postgres:// or postgresql:// URL')
    .optional(),
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\/[^\s]+$/.test(v) && URL.canParse(v), 'a redis:// or rediss:// URL')
    .optional(),
  /** Prefix of every Redis key of the job queue: several installations (or test stacks) can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "." or "-" (1 to 64 of them)')
    .default('bull'),
  SECRET_KEY: z
    .string()
    .refine((v) => decodeKey(v) !== null, '32 bytes as 64 hex characters or base64 (openssl rand -hex 32)')
    .optional(),
  BACKTRACK_ADMIN_TOKEN: z.string().min(24, 'at least 24 characters').optional(),
  EMULATOR: z.enum(['auto', 'on', 'off']).default('auto'),
  EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  KUBERNETES_EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  JOB_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(30),
  SNAPSHOT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(100 * 1024 * 1024),
  /** Where uploads are unpacked (and where start-up sweeps folders killed uploads left); default: the temp folder. */
  UPLOAD_TMP_DIR: z.string().min(1).optional(),
  UPLOAD_MAX_UNCOMPRESSED_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(600 * 1024 * 1024),
  UPLOAD_MAX_RATIO: z.coerce.number().min(1).default(100),
  /** The largest package (`POST /api/packages/:name/versions/:version`) accepted, and what it may expand to. */
  PACKAGE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(512 * 1024 * 1024),
  PACKAGE_MAX_EXPANDED_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(2 * 1024 * 1024 * 1024),
  /** How many successful releases each SSH host keeps (the live one included); older release folders are deleted. */
  RETAIN_RELEASES: z.coerce.number().int().min(1).max(100).default(2),
  /** The helm binary `helm` stages run (a path, or a name found on PATH). */
  HELM_BIN: z.string().trim().min(1).default('helm'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  DEPLOY_POLL_MAX_SECONDS: z.coerce.number().min(0.05).max(60).default(5),
  SSE_HEARTBEAT_SECONDS: z.coerce.number().min(0.01).max(300).default(15),
  IDEMPOTENCY_TTL_HOURS: z.coerce.number().positive().max(8760).default(24),
  /** A deploy or rollback Salesforce has not finished after this long is canceled (cancelDeploy). */
  DEPLOY_TIMEOUT_MINUTES: z.coerce
    .number()
    .min(0.05)
    .max(7 * 24 * 60)
    .default(120),
  /** One Metadata API call that has not answered after this long counts as a network failure (and is retried). */
  METADATA_CALL_TIMEOUT_SECONDS: z.coerce.number().min(1).max(3600).default(120),
  /** How often the SLO evaluator queries Prometheus for every SLO with a rollback policy (issue 16); 0 turns it off. */
  SLO_EVAL_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  /** How long putting a job on the queue may take before the API answers anyway (the reconciler enqueues it later). */
  ENQUEUE_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
});

export type Config = z.infer<typeof schema> & {
  /** Absolute data folder (PGlite files, generated key file, emulator state). */
  dataDir: string;
  /** True when no DATABASE_URL: PGlite under DATA_DIR. */
  embeddedDatabase: boolean;
  /** True when no REDIS_URL: jobs run on the in-process queue. */
  embeddedQueue: boolean;
  /** Whether the built-in emulator org (Local Sandbox) is started. */
  emulatorEnabled: boolean;
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the configuration; an invalid value throws one line naming the variable and what it expects. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const shown =
      variable === 'SECRET_KEY' || variable === 'BACKTRACK_ADMIN_TOKEN'
        ? '(hidden)'
        : JSON.stringify(cleaned[variable] ?? '');
    throw new ConfigError(`Invalid ${variable}=${shown}: expected ${describeIssue(issue)}.`);
  }
  const value = parsed.data;
  const embeddedDatabase = value.DATABASE_URL === undefined;
  if (!embeddedDatabase && value.SECRET_KEY === undefined) {
    throw new ConfigError(
      'Missing SECRET_KEY: with DATABASE_URL set, every API and worker process must share one 32-byte key (openssl rand -hex 32).',
    );
  }
  return {
    ...value,
    dataDir: path.resolve(value.DATA_DIR),
    embeddedDatabase,
    embeddedQueue: value.REDIS_URL === undefined,
    emulatorEnabled: value.EMULATOR === 'on' || (value.EMULATOR === 'auto' && embeddedDatabase),
  };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'too_small')
    return issue.message.startsWith('at least') ? issue.message : `a value >= ${String(issue.minimum)}`;
  if (issue.code === 'too_big') return `a value <= ${String(issue.maximum)}`;
  if (issue.code === 'invalid_type') return `a ${issue.expected}`;
  return issue.message;
}

/** Accepts a 32-byte key as 64 hex characters or as base64; null when it is neither. */
export function decodeKey(text: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text)) {
    const key = Buffer.from(text, 'base64');
    if (key.length === 32) return key;
  }
  return null;
}
