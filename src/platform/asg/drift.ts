import { isTerminating, type GroupState, type VersionRef } from './phase-plan.js';

/** What drift compares: the version the stage left, and the AMIs the deploy and the captured version ran. */
export interface DriftBasis {
  autoScalingGroupName: string;
  left: VersionRef;
  amis: readonly (string | null)[];
}

/** `lt-1:3`: how the AMI of a launch template version is looked up. */
export const versionKey = (ref: { launchTemplateId: string | null; version: string | null }) =>
  `${ref.launchTemplateId ?? '?'}:${ref.version ?? '?'}`;

/**
 * How the live group differs from what the stage left: its launch template version is another one, or instances run
 * an AMI that neither the deploy nor the captured version used. `amiOf` maps `versionKey` to the version's AMI (the
 * group's version resolved to a number under `resolvedGroupVersion`). None: [].
 */
export function driftSentences(
  basis: DriftBasis,
  group: GroupState | null,
  resolvedGroupVersion: string | null,
  amiOf: ReadonlyMap<string, string | null>,
): string[] {
  const name = basis.autoScalingGroupName;
  if (!group) return [`Auto Scaling group ${name} no longer exists`];
  const sentences: string[] = [];
  const template = group.launchTemplate;
  if (
    !template ||
    template.launchTemplateId !== basis.left.launchTemplateId ||
    resolvedGroupVersion !== basis.left.version
  )
    sentences.push(
      `Auto Scaling group ${name} uses ${template ? `launch template ${template.launchTemplateId ?? template.launchTemplateName ?? '?'} version ${resolvedGroupVersion ?? template.version ?? '?'}` : 'no launch template'}, not version ${basis.left.version} of ${basis.left.launchTemplateId} as the stage left it`,
    );
  const allowed = new Set(basis.amis.filter((a): a is string => a !== null));
  const strangers = new Map<string, number>();
  for (const instance of group.instances) {
    if (isTerminating(instance)) continue;
    const ami = amiOf.get(versionKey(instance)) ?? null;
    if (ami !== null && allowed.has(ami)) continue;
    const label = ami ?? `an unknown AMI (launch template ${versionKey(instance)})`;
    strangers.set(label, (strangers.get(label) ?? 0) + 1);
  }
  for (const [ami, count] of strangers)
    sentences.push(
      `${count} instance${count === 1 ? '' : 's'} of ${name} run${count === 1 ? 's' : ''} ${ami}, which neither the deploy nor the version captured before it used`,
    );
  return sentences;
}
