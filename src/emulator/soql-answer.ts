// Answers the few SOQL queries the official CLI runs against an org: Organization and User records; and the
// Tooling API's DeployRequest query Backtrack runs to find a deploy whose id it never received.
// Any other object is refused the way Salesforce refuses an object the org does not have (INVALID_TYPE),
// which is also how a non-Dev Hub answers ScratchOrgInfo and how a non-tracking org answers SourceMember.
import type { DeployJob } from './deploy-service.js';
import type { Org } from './org-registry.js';

export interface QueryAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface ParsedQuery {
  readonly fields: string[];
  readonly object: string;
  /** Character position (1-based) of the object name, for the error text. */
  readonly objectColumn: number;
  readonly where?: string;
  /** What follows WHERE's condition: `ORDER BY …` and/or `LIMIT n`. */
  readonly tail?: string;
}

/** `SELECT a, b FROM Obj [WHERE …] [LIMIT n]`; undefined when the text is not of that shape. */
export function parseSimpleQuery(soql: string): ParsedQuery | undefined {
  const match =
    /^\s*SELECT\s+([\s\S]+?)\s+FROM\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s+WHERE\s+([\s\S]*?))?(\s+(?:ORDER\s+BY|LIMIT)\s[\s\S]*?)?\s*$/i.exec(
      soql,
    );
  if (!match) return undefined;
  const fields = (match[1] as string)
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const object = match[2] as string;
  const tail = match[4]?.trim();
  return { fields, object, objectColumn: soql.indexOf(object) + 1, where: match[3], ...(tail ? { tail } : {}) };
}

function invalidType(soql: string, object: string, column: number): QueryAnswer {
  const pointer = `${' '.repeat(Math.max(0, column - 1))}^`;
  const message =
    `\n${soql}\n${pointer}\nERROR at Row:1:Column:${column}\nsObject type '${object}' is not supported. ` +
    "If you are attempting to use a custom object, be sure to append the '__c' after the entity name. " +
    'Please reference your WSDL or the describe call for the appropriate names.';
  return { status: 400, body: [{ message, errorCode: 'INVALID_TYPE' }] };
}

function organizationRecord(org: Org, version: string): Record<string, unknown> {
  return {
    attributes: { type: 'Organization', url: `/services/data/v${version}/sobjects/Organization/${org.id}` },
    Id: org.id,
    Name: org.name,
    InstanceName: 'EMU1',
    IsSandbox: true,
    TrialExpirationDate: null,
    NamespacePrefix: null,
    OrganizationType: 'Developer Edition',
    CreatedDate: `${org.createdDate.slice(0, 19)}.000+0000`,
    LanguageLocaleKey: 'en_US',
    DefaultLocaleSidKey: 'en_US',
    TimeZoneSidKey: 'America/Los_Angeles',
  };
}

function userRecord(org: Org, version: string): Record<string, unknown> {
  return {
    attributes: { type: 'User', url: `/services/data/v${version}/sobjects/User/${org.user.id}` },
    Id: org.user.id,
    Username: org.user.username,
    Name: org.user.displayName,
    Email: org.user.username,
    IsActive: true,
    ProfileId: '00e000000000001AAA',
  };
}

/** The requested fields of a record, matched case-insensitively; unknown fields are null. */
function project(record: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const byLower = new Map(Object.keys(record).map((key) => [key.toLowerCase(), key]));
  const out: Record<string, unknown> = { attributes: record.attributes };
  for (const field of fields) {
    const key = byLower.get(field.toLowerCase());
    out[key ?? field] = key === undefined ? null : record[key];
  }
  return out;
}

/** Whether a record passes a WHERE of `Field = 'value'` terms joined by AND (anything else: passes). */
function matchesWhere(record: Record<string, unknown>, where: string | undefined): boolean {
  if (!where) return true;
  const terms = [...where.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*=\s*'((?:[^'\\]|\\.)*)'/g)];
  const byLower = new Map(Object.entries(record).map(([key, value]) => [key.toLowerCase(), value]));
  return terms.every(([, field, value]) => {
    const actual = byLower.get((field as string).toLowerCase());
    return (
      typeof actual === 'string' && actual.toLowerCase() === (value as string).replace(/\\(.)/g, '$1').toLowerCase()
    );
  });
}

/** Salesforce's dateTime in query results: `2026-01-01T00:00:00.000+0000`. */
function soqlDateTime(iso: string | undefined): string | null {
  return iso ? `${iso.slice(0, 23)}+0000` : null;
}

function deployRequestRecord(job: DeployJob, version: string): Record<string, unknown> {
  return {
    attributes: { type: 'DeployRequest', url: `/services/data/v${version}/tooling/sobjects/DeployRequest/${job.id}` },
    Id: job.id,
    Status: job.status,
    CheckOnly: job.options.checkOnly,
    CreatedDate: soqlDateTime(job.createdDate),
    CreatedById: job.createdBy.userId,
    StartDate: soqlDateTime(job.startDate),
    CompletedDate: soqlDateTime(job.completedDate),
    LastModifiedDate: soqlDateTime(job.lastModifiedDate),
    NumberComponentsTotal: job.numberComponentsTotal,
    ErrorStatusCode: job.error ? 'LIMIT_EXCEEDED' : null,
  };
}

function malformed(message: string): QueryAnswer {
  return { status: 400, body: [{ message, errorCode: 'MALFORMED_QUERY' }] };
}

const SOQL_DATETIME = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})`;
const DEPLOY_REQUEST_WHERE = new RegExp(String.raw`^CreatedDate\s*>=\s*(${SOQL_DATETIME})$`, 'i');
const DEPLOY_REQUEST_TAIL = /^(?:ORDER\s+BY\s+CreatedDate(?:\s+(DESC|ASC))?)?\s*(?:LIMIT\s+(\d+))?$/i;

/**
 * `SELECT … FROM DeployRequest [WHERE CreatedDate >= <dateTime>] [ORDER BY CreatedDate [DESC|ASC]] [LIMIT n]`
 * (Tooling API): the org's deploys, newest first unless ASC. Other conditions are refused, not ignored.
 */
function answerDeployRequests(parsed: ParsedQuery, deploys: readonly DeployJob[], version: string): QueryAnswer {
  let since = Number.NEGATIVE_INFINITY;
  if (parsed.where !== undefined) {
    const where = DEPLOY_REQUEST_WHERE.exec(parsed.where.trim());
    if (!where) {
      return malformed(`The emulator answers DeployRequest only with WHERE CreatedDate >= <dateTime>: ${parsed.where}`);
    }
    since = Date.parse(where[1] as string);
  }
  const tail = DEPLOY_REQUEST_TAIL.exec(parsed.tail ?? '');
  if (!tail) return malformed(`The emulator orders DeployRequest only by CreatedDate: ${parsed.tail}`);
  const ascending = tail[1]?.toUpperCase() === 'ASC';
  const limit = tail[2] === undefined ? Number.POSITIVE_INFINITY : Number(tail[2]);
  const records = deploys
    .filter((job) => Date.parse(job.createdDate) >= since)
    .sort((a, b) => (Date.parse(a.createdDate) - Date.parse(b.createdDate)) * (ascending ? 1 : -1))
    .slice(0, limit)
    .map((job) => project(deployRequestRecord(job, version), parsed.fields));
  return {
    status: 200,
    body: {
      size: records.length,
      totalSize: records.length,
      done: true,
      queryLocator: null,
      entityTypeName: 'DeployRequest',
      records,
    },
  };
}

export function answerQuery(
  org: Org,
  soql: string,
  options: {
    version: string;
    tooling: boolean;
    deploys?: () => readonly DeployJob[];
    /** Tooling API objects answered elsewhere (FlowDefinition, Flow); undefined for others. */
    toolingObject?: (parsed: ParsedQuery) => QueryAnswer | undefined;
  },
): QueryAnswer {
  const parsed = parseSimpleQuery(soql);
  if (!parsed) return malformed(`unexpected token in query: ${soql}`);
  const object = parsed.object.toLowerCase();
  if (object === 'deployrequest' && options.tooling) {
    return answerDeployRequests(parsed, options.deploys?.() ?? [], options.version);
  }
  const toolingAnswer = options.tooling ? options.toolingObject?.(parsed) : undefined;
  if (toolingAnswer) return toolingAnswer;
  let records: Record<string, unknown>[];
  if (object === 'organization' && !options.tooling) records = [organizationRecord(org, options.version)];
  else if (object === 'user' && !options.tooling) records = [userRecord(org, options.version)];
  else return invalidType(soql, parsed.object, parsed.objectColumn);
  const selected = records.filter((record) => matchesWhere(record, parsed.where)).map((r) => project(r, parsed.fields));
  return { status: 200, body: { totalSize: selected.length, done: true, records: selected } };
}
