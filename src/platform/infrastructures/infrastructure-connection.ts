import { z } from 'zod';
import { BadRequestError } from '../../common/errors.js';
import { parseInput } from '../../common/validation.js';
import {
  describeAwsConnection,
  parseAwsConnection,
  type AwsConnection,
  type AwsConnectionView,
} from '../aws/aws-connection.js';
import {
  describeCfConnection,
  parseCfConnection,
  type CfConnection,
  type CfConnectionView,
} from '../cf/cf-connection.js';
import { clientNode } from '../kubernetes/client-node.js';
import {
  describeSshConnection,
  parseSshConnection,
  type SshConnection,
  type SshConnectionView,
} from '../ssh/ssh-connection.js';

/** `salesforce` infrastructures come only from orgs (ADR 0014). */
export const INFRASTRUCTURE_KINDS = ['salesforce', 'kubernetes', 'ssh', 'helm', 'ecs', 'asg', 'cf'] as const;
export type InfrastructureKind = (typeof INFRASTRUCTURE_KINDS)[number];
/** The kinds whose connection Backtrack holds (sealed); a `salesforce` infrastructure's is its org's. */
export type ConnectedKind = Exclude<InfrastructureKind, 'salesforce'>;

const httpUrl = z
  .string()
  .trim()
  .refine((value) => /^https?:\/\/[^/\s]+/i.test(value) && URL.canParse(value), 'must be an http:// or https:// URL');

/** How Backtrack reaches a Kubernetes cluster: a kubeconfig (and a context in it), or a server and a bearer token. */
const KubeconfigConnection = z.strictObject({
  kubeconfig: z.string().min(1),
  context: z.string().trim().min(1).optional(),
});
const TokenConnection = z.strictObject({
  server: httpUrl,
  token: z.string().min(1),
  caCertificate: z.string().min(1).optional(),
  insecureSkipTlsVerify: z.boolean().optional(),
});
export type KubernetesConnection = z.infer<typeof KubeconfigConnection> | z.infer<typeof TokenConnection>;

/**
 * A Kubernetes connection from a request: `{kubeconfig, context?}` (the kubeconfig must parse and hold the context) or
 * `{server, token, caCertificate?, insecureSkipTlsVerify?}`. Anything else is a 400 naming the field; the message
 * never repeats the secret.
 */
export async function parseKubernetesConnection(input: unknown): Promise<KubernetesConnection> {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new BadRequestError(
      'Invalid connection: expected {kubeconfig, context?} or {server, token, caCertificate?, insecureSkipTlsVerify?}.',
    );
  if (!('kubeconfig' in input)) return parseInput(TokenConnection, input, 'connection');
  const connection = parseInput(KubeconfigConnection, input, 'connection');
  const checked = await checkKubeconfig(connection.kubeconfig, connection.context);
  if (!checked.ok) throw new BadRequestError(`Invalid connection: ${checked.problem}.`);
  return connection;
}

/** A connection with the kind it belongs to. */
export type InfrastructureConnection =
  | { kind: 'kubernetes'; connection: KubernetesConnection }
  | { kind: 'ssh'; connection: SshConnection }
  | { kind: 'ecs'; connection: AwsConnection }
  /** A `helm` infrastructure reaches its cluster exactly as a `kubernetes` one does (ADR 0016). */
  | { kind: 'helm'; connection: KubernetesConnection }
  | { kind: 'asg'; connection: AwsConnection }
  | { kind: 'cf'; connection: CfConnection };

/** What the API shows of a connection: its shape and where it points, never a secret. */
export type ConnectionView =
  | { type: 'kubeconfig'; context: string }
  | { type: 'token'; server: string }
  | SshConnectionView
  | AwsConnectionView
  | CfConnectionView;

/** A connection from a request, checked for the infrastructure's kind: a 400 naming the field when it does not fit. */
export async function parseConnection(kind: ConnectedKind, input: unknown): Promise<InfrastructureConnection> {
  switch (kind) {
    case 'kubernetes':
      return { kind, connection: await parseKubernetesConnection(input) };
    case 'ssh':
      return { kind, connection: await parseSshConnection(input) };
    case 'ecs':
    case 'asg':
      return { kind, connection: parseAwsConnection(input) };
    case 'helm':
      return { kind, connection: await parseKubernetesConnection(input) };
    case 'cf':
      return { kind, connection: parseCfConnection(input) };
  }
}

/** What the API shows of a stored connection of `kind`. */
export async function describeConnection(kind: ConnectedKind, connection: unknown): Promise<ConnectionView> {
  switch (kind) {
    case 'kubernetes':
      return describeKubernetesConnection(connection as KubernetesConnection);
    case 'ssh':
      return describeSshConnection(connection as SshConnection);
    case 'ecs':
    case 'asg':
      return describeAwsConnection(connection as AwsConnection);
    case 'helm':
      return describeKubernetesConnection(connection as KubernetesConnection);
    case 'cf':
      return describeCfConnection(connection as CfConnection);
  }
}

/**
 * Checks what zod cannot: that a kubeconfig parses (YAML or JSON) and names the context to use (the one given, or
 * its current-context), with a cluster. Returns the problem as a sentence, or the context the connection will use.
 */
export async function checkKubeconfig(
  kubeconfig: string,
  context: string | undefined,
): Promise<{ ok: true; context: string } | { ok: false; problem: string }> {
  const config = new (await clientNode.load()).KubeConfig();
  try {
    config.loadFromString(kubeconfig);
  } catch (error) {
    // Parser messages quote the text around the fault, which may be a secret: keep only the position.
    const position = /\((\d+):(\d+)\)/.exec(error instanceof Error ? error.message : '');
    const where = position ? ` (line ${position[1]}, column ${position[2]})` : '';
    return { ok: false, problem: `the kubeconfig cannot be read as YAML or JSON${where}` };
  }
  const names = config.getContexts().map((c) => c.name);
  if (!names.length) return { ok: false, problem: 'the kubeconfig holds no context' };
  const chosen = context ?? config.getCurrentContext();
  if (!chosen)
    return {
      ok: false,
      problem: `the kubeconfig has no current-context; name one of ${names.join(', ')} in "context"`,
    };
  const found = config.getContextObject(chosen);
  if (!found) return { ok: false, problem: `the kubeconfig has no context "${chosen}" (it has ${names.join(', ')})` };
  if (!config.getCluster(found.cluster))
    return { ok: false, problem: `context "${chosen}" names cluster "${found.cluster}", which the kubeconfig lacks` };
  return { ok: true, context: chosen };
}

/** A Kubernetes connection as the API shows it (for a kubeconfig, the context it uses). */
export async function describeKubernetesConnection(connection: KubernetesConnection): Promise<ConnectionView> {
  if ('server' in connection) return { type: 'token', server: connection.server };
  const checked = await checkKubeconfig(connection.kubeconfig, connection.context);
  return { type: 'kubeconfig', context: checked.ok ? checked.context : (connection.context ?? '') };
}
