// EC2 launch templates and their numbered versions: create, add a version (from a source version, idempotent by
// client token), describe, and resolve `$Latest` / `$Default` / a number to the version an instance launches from.
import { QueryError } from '../wire/query-params.js';

/** The part of LaunchTemplateData the emulator keeps (everything else in a request is ignored). */
export interface LaunchTemplateData {
  readonly imageId?: string;
  readonly instanceType?: string;
  readonly keyName?: string;
  readonly userData?: string;
  readonly securityGroupIds?: readonly string[];
}

export interface LaunchTemplateVersion {
  readonly launchTemplateId: string;
  readonly launchTemplateName: string;
  readonly versionNumber: number;
  readonly versionDescription?: string;
  readonly createTime: Date;
  readonly data: LaunchTemplateData;
}

export interface LaunchTemplate {
  readonly launchTemplateId: string;
  readonly launchTemplateName: string;
  readonly createTime: Date;
  defaultVersionNumber: number;
  readonly versions: LaunchTemplateVersion[];
}

/** Names one template: by id or by name (not both, as EC2 insists). */
export interface TemplateRef {
  readonly launchTemplateId?: string;
  readonly launchTemplateName?: string;
}

export interface NewVersion {
  readonly data: LaunchTemplateData;
  readonly versionDescription?: string;
  /** A version number, `$Latest` or `$Default` whose data the new version starts from. */
  readonly sourceVersion?: string;
  readonly clientToken?: string;
}

const NAME_PATTERN = /^[a-zA-Z0-9().\-/_]{3,128}$/;

export class LaunchTemplateStore {
  private readonly templates = new Map<string, LaunchTemplate>();
  private readonly byToken = new Map<string, LaunchTemplateVersion | LaunchTemplate>();
  private created = 0;

  constructor(private readonly now: () => Date) {}

  create(name: string, first: NewVersion): LaunchTemplate {
    const earlier = first.clientToken && this.byToken.get(`create:${first.clientToken}`);
    if (earlier) return earlier as LaunchTemplate;
    if (!NAME_PATTERN.test(name))
      throw new QueryError(
        'InvalidLaunchTemplateName.MalformedException',
        `The launch template name '${name}' is invalid: use 3 to 128 letters, digits and ( ) . - / _.`,
      );
    if ([...this.templates.values()].some((t) => t.launchTemplateName === name))
      throw new QueryError('InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use.`);
    this.created++;
    const launchTemplateId = `lt-${this.created.toString(16).padStart(17, '0')}`;
    const template: LaunchTemplate = {
      launchTemplateId,
      launchTemplateName: name,
      createTime: this.now(),
      defaultVersionNumber: 1,
      versions: [],
    };
    template.versions.push(this.version(template, 1, first, first.data));
    this.templates.set(launchTemplateId, template);
    if (first.clientToken) this.byToken.set(`create:${first.clientToken}`, template);
    return template;
  }

  createVersion(ref: TemplateRef, request: NewVersion): LaunchTemplateVersion {
    const earlier = request.clientToken && this.byToken.get(`version:${request.clientToken}`);
    if (earlier) return earlier as LaunchTemplateVersion;
    const template = this.find(ref);
    const base = request.sourceVersion === undefined ? {} : this.resolve(template, request.sourceVersion).data;
    const version = this.version(template, template.versions.length + 1, request, { ...base, ...request.data });
    template.versions.push(version);
    if (request.clientToken) this.byToken.set(`version:${request.clientToken}`, version);
    return version;
  }

  /** Versions asked for by number, `$Latest` or `$Default`; all of them (oldest first) when none are asked for. */
  describeVersions(
    ref: TemplateRef,
    versions: readonly string[],
    range: { min?: number; max?: number } = {},
  ): LaunchTemplateVersion[] {
    const template = this.find(ref);
    const chosen = versions.length ? versions.map((v) => this.resolve(template, v)) : [...template.versions];
    return chosen.filter(
      (v) =>
        (range.min === undefined || v.versionNumber >= range.min) &&
        (range.max === undefined || v.versionNumber <= range.max),
    );
  }

  isDefault(version: LaunchTemplateVersion): boolean {
    return this.templates.get(version.launchTemplateId)?.defaultVersionNumber === version.versionNumber;
  }

  find(ref: TemplateRef): LaunchTemplate {
    if (ref.launchTemplateId !== undefined && ref.launchTemplateName !== undefined)
      throw new QueryError(
        'InvalidParameterCombination',
        'Give either LaunchTemplateId or LaunchTemplateName, not both.',
      );
    if (ref.launchTemplateId !== undefined) {
      const template = this.templates.get(ref.launchTemplateId);
      if (!template)
        throw new QueryError(
          'InvalidLaunchTemplateId.NotFound',
          `The specified launch template, with template ID ${ref.launchTemplateId}, does not exist.`,
        );
      return template;
    }
    if (ref.launchTemplateName !== undefined) {
      const template = [...this.templates.values()].find((t) => t.launchTemplateName === ref.launchTemplateName);
      if (!template)
        throw new QueryError(
          'InvalidLaunchTemplateName.NotFoundException',
          `The specified launch template, with template name ${ref.launchTemplateName}, does not exist.`,
        );
      return template;
    }
    throw new QueryError(
      'MissingParameter',
      'The request must contain the parameter LaunchTemplateId or LaunchTemplateName.',
    );
  }

  /** The version `$Latest`, `$Default` or a number stands for in this template. */
  resolve(template: LaunchTemplate, version: string): LaunchTemplateVersion {
    const number =
      version === '$Latest'
        ? template.versions.length
        : version === '$Default'
          ? template.defaultVersionNumber
          : /^\d+$/.test(version)
            ? Number(version)
            : NaN;
    const found = template.versions[number - 1];
    if (!found)
      throw new QueryError(
        'InvalidLaunchTemplateId.VersionNotFound',
        `Could not find launch template version ${version} for template ${template.launchTemplateId}.`,
      );
    return found;
  }

  private version(template: LaunchTemplate, number: number, request: NewVersion, data: LaunchTemplateData) {
    return {
      launchTemplateId: template.launchTemplateId,
      launchTemplateName: template.launchTemplateName,
      versionNumber: number,
      versionDescription: request.versionDescription,
      createTime: this.now(),
      data,
    };
  }
}
