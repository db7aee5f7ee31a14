// EC2 Query actions for launch templates (Version=2016-11-15): flattened request lists (`LaunchTemplateVersion.1`),
// answers without a Result wrapper, lowerCamel names and `<item>` lists.
import { QueryError, type QueryParams } from '../wire/query-params.js';
import { children, type XmlValue } from '../wire/xml.js';
import type {
  LaunchTemplate,
  LaunchTemplateData,
  LaunchTemplateStore,
  LaunchTemplateVersion,
} from './launch-templates.js';

export const EC2_VERSION = '2016-11-15';
export const EC2_NAMESPACE = `http://ec2.amazonaws.com/doc/${EC2_VERSION}/`;
export const EC2_ACTIONS = ['CreateLaunchTemplate', 'CreateLaunchTemplateVersion', 'DescribeLaunchTemplateVersions'];

function templateData(params: QueryParams): LaunchTemplateData {
  const securityGroupIds = params.list('LaunchTemplateData.SecurityGroupId', 'flat');
  const data: LaunchTemplateData = {
    imageId: params.string('LaunchTemplateData.ImageId'),
    instanceType: params.string('LaunchTemplateData.InstanceType'),
    keyName: params.string('LaunchTemplateData.KeyName'),
    userData: params.string('LaunchTemplateData.UserData'),
    securityGroupIds: securityGroupIds.length ? securityGroupIds : undefined,
  };
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
}

const dataXml = (data: LaunchTemplateData): XmlValue => ({
  imageId: data.imageId,
  instanceType: data.instanceType,
  keyName: data.keyName,
  userData: data.userData,
  securityGroupIdSet: data.securityGroupIds,
});

function versionXml(store: LaunchTemplateStore, version: LaunchTemplateVersion): XmlValue {
  return {
    launchTemplateId: version.launchTemplateId,
    launchTemplateName: version.launchTemplateName,
    versionNumber: version.versionNumber,
    versionDescription: version.versionDescription,
    createTime: version.createTime,
    createdBy: 'arn:aws:iam::123456789012:user/emulator',
    defaultVersion: store.isDefault(version),
    launchTemplateData: dataXml(version.data),
  };
}

const templateXml = (template: LaunchTemplate): XmlValue => ({
  launchTemplateId: template.launchTemplateId,
  launchTemplateName: template.launchTemplateName,
  createTime: template.createTime,
  createdBy: 'arn:aws:iam::123456789012:user/emulator',
  defaultVersionNumber: template.defaultVersionNumber,
  latestVersionNumber: template.versions.length,
});

const templateRef = (params: QueryParams) => ({
  launchTemplateId: params.string('LaunchTemplateId'),
  launchTemplateName: params.string('LaunchTemplateName'),
});

function requireData(params: QueryParams): LaunchTemplateData {
  if (!params.has('LaunchTemplateData'))
    throw new QueryError('MissingParameter', 'The request must contain the parameter LaunchTemplateData.');
  return templateData(params);
}

/** The XML inside `<ActionResponse>` (after `<requestId>`) for one EC2 action. */
export function handleEc2(store: LaunchTemplateStore, action: string, params: QueryParams): string {
  switch (action) {
    case 'CreateLaunchTemplate': {
      const name = params.string('LaunchTemplateName');
      if (!name) throw new QueryError('MissingParameter', 'The request must contain the parameter LaunchTemplateName.');
      const template = store.create(name, {
        data: requireData(params),
        versionDescription: params.string('VersionDescription'),
        clientToken: params.string('ClientToken'),
      });
      return children({ launchTemplate: templateXml(template) }, 'item');
    }
    case 'CreateLaunchTemplateVersion': {
      const version = store.createVersion(templateRef(params), {
        data: requireData(params),
        versionDescription: params.string('VersionDescription'),
        sourceVersion: params.string('SourceVersion'),
        clientToken: params.string('ClientToken'),
      });
      return children({ launchTemplateVersion: versionXml(store, version) }, 'item');
    }
    case 'DescribeLaunchTemplateVersions': {
      const versions = store.describeVersions(templateRef(params), params.list('LaunchTemplateVersion', 'flat'), {
        min: params.integer('MinVersion'),
        max: params.integer('MaxVersion'),
      });
      return children({ launchTemplateVersionSet: versions.map((v) => versionXml(store, v)) }, 'item');
    }
    default:
      throw new QueryError('InvalidAction', `The action ${action} is not valid for this web service.`);
  }
}
