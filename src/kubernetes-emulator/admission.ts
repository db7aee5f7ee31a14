// What the API server does to an object before storing it: defaults (apps/v1 and core/v1 SetDefaults_*) and the
// validation the emulator checks, answered as 422 Invalid like apimachinery's field errors.
import { isObject, type JsonObject, type JsonValue } from './json.js';
import { DEPLOYMENTS, NAMESPACES, REPLICA_SETS, SECRETS, SERVICES, type ResourceType } from './resource-types.js';
import { matchesLabels, requirementsOf, SelectorError } from './selectors.js';
import { badRequest, invalid, type StatusCause } from './status.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const required = (field: string): StatusCause => ({ reason: 'FieldValueRequired', message: 'Required value', field });
const invalidValue = (field: string, value: unknown, detail: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
  field,
});

function objectAt(parent: JsonObject, key: string): JsonObject {
  const value = parent[key];
  if (isObject(value)) return value;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

/** SetDefaults_PodSpec and SetDefaults_Container for the fields a manifest usually leaves out. */
function defaultPodSpec(spec: JsonObject): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  for (const list of ['initContainers', 'containers']) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    for (const container of containers.filter(isObject)) {
      const image = typeof container.image === 'string' ? container.image : '';
      const tag = image.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(image)?.[1] ?? 'latest');
      container.imagePullPolicy ??= tag === 'latest' ? 'Always' : 'IfNotPresent';
      container.terminationMessagePath ??= '/dev/termination-log';
      container.terminationMessagePolicy ??= 'File';
      container.resources ??= {};
      if (Array.isArray(container.ports)) for (const port of container.ports.filter(isObject)) port.protocol ??= 'TCP';
    }
  }
}

function checkName(type: ResourceType, metadata: JsonObject): StatusCause[] {
  const name = metadata.name;
  if (typeof name !== 'string' || name === '') return [required('metadata.name')];
  const label = type === NAMESPACES || type === SERVICES;
  if (label ? !DNS_LABEL.test(name) || name.length > 63 : !DNS_SUBDOMAIN.test(name) || name.length > 253) {
    const rule = label
      ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
      : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    return [invalidValue('metadata.name', name, rule)];
  }
  return [];
}

function checkStringMap(value: JsonValue | undefined, field: string): StatusCause[] {
  if (value === undefined || value === null) return [];
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string'))
    return [invalidValue(field, value, 'must be a map of strings')];
  return [];
}

/** Checks and defaults the spec of a Deployment or ReplicaSet (selector, template, containers, replicas). */
function admitWorkload(type: ResourceType, object: JsonObject, old: JsonObject | undefined): StatusCause[] {
  const spec = objectAt(object, 'spec');
  const causes: StatusCause[] = [];
  spec.replicas ??= 1;
  if (typeof spec.replicas !== 'number' || !Number.isInteger(spec.replicas) || spec.replicas < 0)
    causes.push(invalidValue('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  if (type === DEPLOYMENTS) {
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    const strategy = objectAt(spec, 'strategy');
    strategy.type ??= 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const rolling = objectAt(strategy, 'rollingUpdate');
      rolling.maxSurge ??= '25%';
      rolling.maxUnavailable ??= '25%';
    } else if (strategy.type !== 'Recreate') {
      causes.push(invalidValue('spec.strategy.type', strategy.type, 'supported values: "Recreate", "RollingUpdate"'));
    }
  }
  const template = isObject(spec.template) ? spec.template : undefined;
  const selector = isObject(spec.selector) ? spec.selector : undefined;
  if (!selector || (!isObject(selector.matchLabels) && !Array.isArray(selector.matchExpressions)))
    causes.push(required('spec.selector'));
  if (!template) return [...causes, required('spec.template')];
  const templateMeta = objectAt(template, 'metadata');
  const labels = isObject(templateMeta.labels) ? (templateMeta.labels as Record<string, string>) : {};
  if (selector) {
    try {
      const requirements = requirementsOf(selector);
      if (requirements.length === 0)
        causes.push(invalidValue('spec.selector', selector, 'empty selector is invalid for deployment'));
      else if (!matchesLabels(requirements, labels))
        causes.push(
          invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'),
        );
    } catch (error) {
      if (!(error instanceof SelectorError)) throw error;
      causes.push(invalidValue('spec.selector', selector, error.message));
    }
  }
  if (old && isObject(old.spec) && JSON.stringify(old.spec.selector) !== JSON.stringify(spec.selector))
    causes.push(invalidValue('spec.selector', spec.selector, 'field is immutable'));
  const podSpec = objectAt(template, 'spec');
  const containers = Array.isArray(podSpec.containers) ? podSpec.containers : [];
  if (containers.length === 0) causes.push(required('spec.template.spec.containers'));
  containers.forEach((c, i) => {
    if (!isObject(c) || typeof c.name !== 'string' || c.name === '')
      causes.push(required(`spec.template.spec.containers[${i}].name`));
    if (!isObject(c) || typeof c.image !== 'string' || c.image === '')
      causes.push(required(`spec.template.spec.containers[${i}].image`));
  });
  defaultPodSpec(podSpec);
  return causes;
}

/** Secrets: `stringData` folded into base64 `data`, every `data` value must be base64. */
function admitSecret(object: JsonObject): StatusCause[] {
  object.type ??= 'Opaque';
  const data = isObject(object.data) ? object.data : {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0)
      throw badRequest(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data at data.${key}`);
  }
  if (isObject(object.stringData)) {
    for (const [key, value] of Object.entries(object.stringData))
      if (typeof value === 'string') data[key] = Buffer.from(value, 'utf8').toString('base64');
    delete object.stringData;
  }
  if (Object.keys(data).length) object.data = data;
  return [];
}

/** Services: ClusterIP type, TCP ports whose targetPort defaults to the port, an allocated cluster IP kept for life. */
function admitService(object: JsonObject, old: JsonObject | undefined, allocateIp: () => string): StatusCause[] {
  const spec = objectAt(object, 'spec');
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  const ports = Array.isArray(spec.ports) ? spec.ports.filter(isObject) : [];
  for (const port of ports) {
    port.protocol ??= 'TCP';
    port.targetPort ??= port.port ?? null;
  }
  const oldIp = old && isObject(old.spec) ? old.spec.clusterIP : undefined;
  if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = oldIp ?? allocateIp();
  spec.clusterIPs = [spec.clusterIP];
  return ports.length === 0 && spec.type !== 'ExternalName' ? [required('spec.ports')] : [];
}

/**
 * Defaults and checks an object about to be stored (`old`: the stored one on update). Returns the object to store;
 * throws 422 Invalid (or 400 for undecodable data).
 */
export function admit(
  type: ResourceType,
  input: JsonObject,
  old: JsonObject | undefined,
  allocateIp: () => string,
): JsonObject {
  const object = structuredClone(input);
  const metadata = objectAt(object, 'metadata');
  const causes = [
    ...checkName(type, metadata),
    ...checkStringMap(metadata.labels, 'metadata.labels'),
    ...checkStringMap(metadata.annotations, 'metadata.annotations'),
  ];
  if (type === DEPLOYMENTS || type === REPLICA_SETS) causes.push(...admitWorkload(type, object, old));
  else if (type === SECRETS) causes.push(...admitSecret(object));
  else if (type === SERVICES) causes.push(...admitService(object, old, allocateIp));
  else if (type === NAMESPACES) {
    objectAt(object, 'spec').finalizers = ['kubernetes'];
    object.status = { phase: 'Active' };
  }
  if (causes.length) throw invalid(type, typeof metadata.name === 'string' ? metadata.name : '', causes);
  return object;
}
