import type { DeployMessage, DeployStatus, FileProperties, RetrieveStatus } from './metadata-api.gateway.js';

/** SOAP answers come back as strings, single objects where arrays are expected, or `{ $: { 'xsi:nil': 'true' } }`. */
export function asArray<T>(value: T | T[] | null | undefined): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function isNil(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'object' && '$' in value && Object.keys(value).length === 1)
  );
}

export function asBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.trim().toLowerCase() === 'true';
  return false;
}

export function asNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : 0;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : 0;
  }
  return 0;
}

function asOptionalNumber(value: unknown): number | undefined {
  if (isNil(value) || value === '') return undefined;
  const n = asNumber(value);
  return Number.isFinite(n) ? n : undefined;
}

function asOptionalString(value: unknown): string | undefined {
  if (isNil(value)) return undefined;
  const s = typeof value === 'string' ? value : String(value);
  return s === '' ? undefined : s;
}

function asString(value: unknown): string {
  return asOptionalString(value) ?? '';
}

type Raw = Record<string, unknown>;

export function normalizeDeployMessage(raw: Raw): DeployMessage {
  const problemType = asOptionalString(raw.problemType);
  const message: DeployMessage = {
    componentType: asString(raw.componentType),
    fullName: asString(raw.fullName),
    fileName: asString(raw.fileName),
    created: asBoolean(raw.created),
    changed: asBoolean(raw.changed),
    deleted: asBoolean(raw.deleted),
    success: asBoolean(raw.success),
  };
  const problem = asOptionalString(raw.problem);
  if (problem) message.problem = problem;
  if (problemType === 'Warning' || problemType === 'Error') message.problemType = problemType;
  const line = asOptionalNumber(raw.lineNumber);
  const column = asOptionalNumber(raw.columnNumber);
  if (line !== undefined) message.lineNumber = line;
  if (column !== undefined) message.columnNumber = column;
  return message;
}

/**
 * Normalizes a jsforce DeployResult. Messages without a component type go to `problems` when they say something
 * (a failure or a problem text); package.xml's own plain success entry is dropped.
 */
export function normalizeDeployResult(raw: Raw): DeployStatus {
  const details = (Array.isArray(raw.details) ? raw.details[0] : raw.details) as Raw | undefined;
  const all = [
    ...asArray(details?.componentSuccesses as Raw | Raw[]),
    ...asArray(details?.componentFailures as Raw | Raw[]),
  ].map(normalizeDeployMessage);
  const messages = all.filter((m) => m.componentType !== '');
  const problems = all.filter((m) => m.componentType === '' && (m.problem !== undefined || !m.success));
  const status: DeployStatus = {
    id: asString(raw.id),
    done: asBoolean(raw.done),
    status: asString(raw.status),
    success: asBoolean(raw.success),
    checkOnly: asBoolean(raw.checkOnly),
    numberComponentsTotal: asNumber(raw.numberComponentsTotal),
    numberComponentsDeployed: asNumber(raw.numberComponentsDeployed),
    numberComponentErrors: asNumber(raw.numberComponentErrors),
    numberTestsTotal: asNumber(raw.numberTestsTotal),
    numberTestsCompleted: asNumber(raw.numberTestsCompleted),
    numberTestErrors: asNumber(raw.numberTestErrors),
    messages,
    ...(problems.length ? { problems } : {}),
  };
  const errorMessage = asOptionalString(raw.errorMessage);
  const errorStatusCode = asOptionalString(raw.errorStatusCode);
  const stateDetail = asOptionalString(raw.stateDetail);
  if (errorMessage) status.errorMessage = errorMessage;
  if (errorStatusCode) status.errorStatusCode = errorStatusCode;
  if (stateDetail) status.stateDetail = stateDetail;
  return status;
}

export function normalizeFileProperties(raw: Raw): FileProperties {
  const out: FileProperties = {
    type: asString(raw.type),
    fullName: asString(raw.fullName),
    fileName: asString(raw.fileName),
  };
  for (const key of [
    'id',
    'createdById',
    'createdByName',
    'createdDate',
    'lastModifiedById',
    'lastModifiedByName',
    'lastModifiedDate',
    'manageableState',
    'namespacePrefix',
  ] as const) {
    const value = asOptionalString(raw[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** A base64 field's bytes; undefined when it is absent or empty. */
function fromBase64(text: string | undefined): Buffer | undefined {
  return text ? Buffer.from(text, 'base64') : undefined;
}

/** Normalizes a jsforce RetrieveResult; `zipFile` (base64, or already decoded by `takeZipFile`) becomes a Buffer. */
export function normalizeRetrieveResult(raw: Raw): RetrieveStatus {
  // a zip `takeZipFile` decoded is taken as it is: not turned into text first (megabytes of it)
  const zip = Buffer.isBuffer(raw.zipFile) ? raw.zipFile : fromBase64(asOptionalString(raw.zipFile));
  return {
    id: asString(raw.id),
    done: asBoolean(raw.done),
    status: asString(raw.status),
    success: asBoolean(raw.success),
    ...(zip ? { zip } : {}),
    messages: asArray(raw.messages as Raw | Raw[]).map((m) => ({
      fileName: asString(m.fileName),
      problem: asString(m.problem),
    })),
  };
}

/**
 * A checkRetrieveStatus answer without its `<fileProperties>` elements: one per retrieved file (15,000 for a large
 * backup), which Backtrack never reads (the zip holds what was retrieved) and which cost more to parse than the rest
 * of the answer, base64 zip included. Matched as Salesforce writes them (unprefixed, in the default namespace, never
 * nested); an answer written otherwise is left as it is.
 */
export function withoutFileProperties(xml: string): string {
  return xml.replace(/<fileProperties>[\s\S]*?<\/fileProperties>/g, '');
}

/**
 * A checkRetrieveStatus answer's `<zipFile>` taken out before the answer is parsed: its base64 decoded straight from
 * the answer's text (13 MB of it for a chunk of 7,000 components, which the parser would otherwise walk and hand on
 * as a string), and the answer without it. Only an answer holding exactly one `<zipFile>…</zipFile>`, as Salesforce
 * writes it (unprefixed, in the default namespace), is cut; any other is left whole to the parser.
 */
export function takeZipFile(xml: string): { xml: string; zip?: Buffer } {
  const open = '<zipFile>';
  const close = '</zipFile>';
  const start = xml.indexOf(open);
  if (start < 0 || xml.indexOf(open, start + open.length) >= 0) return { xml };
  const end = xml.indexOf(close, start + open.length);
  if (end < 0 || xml.indexOf(close, end + close.length) >= 0) return { xml };
  const rest = xml.slice(0, start) + xml.slice(end + close.length);
  // an empty element is no zip, as the parser reads it
  if (end === start + open.length) return { xml: rest };
  return { xml: rest, zip: Buffer.from(xml.slice(start + open.length, end), 'base64') };
}
