import { z } from 'zod';
import { parseInput } from '../../common/validation.js';

/** A `helm` stage (docs/helm-provider.md): a chart from the package store installed or upgraded as one Helm release. */
export interface HelmSpec {
  /** The package (a packaged chart, `.tgz`) in the package store. */
  package: string;
  /** The package version when the execution deploys no release (a release's pin wins); may be an expression. */
  version: string | null;
  /** The Helm release name (DNS-1053 label: lower-case letters, digits and "-", at most 53 characters). */
  release: string;
  namespace: string;
  /** Values passed to helm as a --values file (never --set). */
  values: Record<string, unknown>;
  /** How long one helm call may take (its --timeout) and how long a release may stay pending before the stage fails. */
  timeoutSeconds: number;
}

/** An unresolved expression (`<+artifact.version>`): checked again once the engine has resolved it. */
const EXPRESSION = /<\+[^>]*>/;
const DNS_1053 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const name = (pattern: RegExp, max: number, what: string) =>
  z
    .string()
    .trim()
    .min(1)
    .refine((v) => EXPRESSION.test(v) || (v.length <= max && pattern.test(v)), `must be ${what}`);

const Spec = z.strictObject({
  package: z
    .string()
    .trim()
    .refine(
      (v) => EXPRESSION.test(v) || /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(v),
      'must be a package name (letters, digits, ".", "_" or "-")',
    ),
  version: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .refine((v) => !/[\s/\\]/.test(v), 'must be a package version (no spaces or slashes)')
    .nullable()
    .default(null),
  release: name(
    DNS_1053,
    53,
    'a Helm release name: lower-case letters, digits and "-", starting with a letter, at most 53 characters',
  ),
  namespace: name(
    DNS_1123_LABEL,
    63,
    'a Kubernetes namespace: lower-case letters, digits and "-", at most 63 characters',
  ).default('default'),
  values: z.record(z.string(), z.unknown()).default({}),
  timeoutSeconds: z.number().int().min(1).max(3_600).default(300),
});

/** A `helm` stage spec (expressions resolved or not): a 400 naming the field when it cannot be used. Pure. */
export function parseHelmSpec(input: unknown): HelmSpec {
  return parseInput(Spec, input, 'helm stage spec');
}
