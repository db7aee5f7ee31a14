import type { AsgStrategy } from './asg-spec.js';

/** A launch template version, resolved to its number ("3", never `$Latest`). */
export interface TemplateVersion {
  launchTemplateId: string;
  launchTemplateName: string;
  version: string;
}

/** What capture recorded of the group before the deploy: what a rollback puts back. */
export interface AsgData {
  autoScalingGroupName: string;
  /** The group's launch template, its version resolved to a number. */
  launchTemplate: TemplateVersion;
  /** The version as the group named it (`$Latest`, `$Default` or a number): the rollback pins the number. */
  versionAsNamed: string;
  /** The AMI of that version. */
  amiId: string | null;
  desiredCapacity: number;
  /** The instances then, with the version each was launched from. */
  instances: { instanceId: string; version: string | null; lifecycleState: string }[];
}

/** What a deploy (or a rollback) left: drift, status, Instances and the rollback's phase arithmetic read it. */
export interface AsgOutputs {
  autoScalingGroupName: string;
  /** The version the group was set to (the new one after a deploy, the captured one after a rollback). */
  launchTemplate: TemplateVersion;
  amiId: string;
  strategy: AsgStrategy;
  /** The instances each phase replaced, in order (basic: one phase). */
  phases: number[];
  /** The instance ids each phase terminated (canary), in order. */
  replaced: string[][];
  /** Basic: the instance refresh that replaces the instances (null for canary or when nothing was to replace). */
  instanceRefreshId: string | null;
  /** For `<+stages.NAME.output.image>` / `.revision`: the AMI and the launch template version. */
  image: string;
  revision: string;
}
