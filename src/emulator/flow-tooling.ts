// The Tooling API over REST for flows: SOQL on FlowDefinition and Flow, PATCH tooling/sobjects/FlowDefinition/{id}
// with `{"Metadata":{"activeVersionNumber":N}}`, GET and DELETE tooling/sobjects/Flow/{id}. Errors in Salesforce's
// REST shape: `[{"message":…,"errorCode":…}]`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from './emulator-context.js';
import {
  activeVersion,
  latestVersion,
  type FlowDefinition,
  type FlowVersion,
  type FlowVersions,
} from './flow-versions.js';
import { sendJson } from './http-io.js';
import type { Org } from './org-registry.js';
import type { QueryAnswer, ParsedQuery } from './soql-answer.js';

type Json = Record<string, unknown>;

function flowDefinitionRecord(definition: FlowDefinition, version: string): Json {
  const active = activeVersion(definition);
  const latest = latestVersion(definition);
  const base = `/services/data/v${version}/tooling/sobjects`;
  const versionRef = (v: FlowVersion | undefined) =>
    v
      ? {
          attributes: { type: 'Flow', url: `${base}/Flow/${v.id}` },
          Id: v.id,
          VersionNumber: v.versionNumber,
          Status: v.status,
        }
      : null;
  return {
    attributes: { type: 'FlowDefinition', url: `${base}/FlowDefinition/${definition.id}` },
    Id: definition.id,
    DeveloperName: definition.developerName,
    MasterLabel: definition.developerName,
    NamespacePrefix: null,
    ActiveVersionId: active?.id ?? null,
    LatestVersionId: latest?.id ?? null,
    ActiveVersion: versionRef(active),
    LatestVersion: versionRef(latest),
    FullName: definition.developerName,
    Metadata: { activeVersionNumber: active?.versionNumber ?? null, description: null, masterLabel: null },
  };
}

function flowRecord(definition: FlowDefinition, flow: FlowVersion, version: string): Json {
  const base = `/services/data/v${version}/tooling/sobjects`;
  return {
    attributes: { type: 'Flow', url: `${base}/Flow/${flow.id}` },
    Id: flow.id,
    DefinitionId: definition.id,
    Definition: {
      attributes: { type: 'FlowDefinition', url: `${base}/FlowDefinition/${definition.id}` },
      Id: definition.id,
      DeveloperName: definition.developerName,
    },
    VersionNumber: flow.versionNumber,
    Status: flow.status,
    MasterLabel: definition.developerName,
    CreatedDate: `${flow.createdDate.slice(0, 23)}+0000`,
    FullName: `${definition.developerName}-${flow.versionNumber}`,
  };
}

/** A field of a record, `A.B` reading into a related record; matched case-insensitively. */
function fieldValue(record: Json, path: string): unknown {
  let value: unknown = record;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return null;
    const key = Object.keys(value).find((k) => k.toLowerCase() === part.toLowerCase());
    value = key === undefined ? null : (value as Json)[key];
  }
  return value;
}

/** The requested fields; `A.B` gives `A: {attributes, B}` (null when there is no related record). */
function project(record: Json, fields: readonly string[]): Json {
  const out: Json = { attributes: record.attributes };
  for (const field of fields) {
    const [head, ...rest] = field.split('.');
    const key = Object.keys(record).find((k) => k.toLowerCase() === head!.toLowerCase()) ?? head!;
    if (rest.length === 0) {
      out[key] = fieldValue(record, field);
      continue;
    }
    const related = record[key];
    if (typeof related !== 'object' || related === null) {
      out[key] = null;
      continue;
    }
    const nested = (out[key] as Json | undefined) ?? { attributes: (related as Json).attributes };
    Object.assign(nested, project(related as Json, [rest.join('.')]), { attributes: (related as Json).attributes });
    out[key] = nested;
  }
  return out;
}

const TERM = /^([A-Za-z_][A-Za-z0-9_.]*)\s*(?:=\s*(?:'((?:[^'\\]|\\.)*)'|(\d+))|IN\s*\(([^)]*)\))$/i;

/** `Field = 'v'`, `Field = 3` and `Field IN ('a','b')` terms joined by AND; undefined when it is anything else. */
function parseWhere(where: string | undefined): ((record: Json) => boolean) | undefined {
  if (!where?.trim()) return () => true;
  const terms = where.trim().split(/\s+AND\s+/i);
  const tests: ((record: Json) => boolean)[] = [];
  for (const term of terms) {
    const match = TERM.exec(term.trim());
    if (!match) return undefined;
    const [, field, text, number, list] = match as unknown as [string, string, string?, string?, string?];
    const values =
      list !== undefined
        ? [...list.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => (m[1] as string).replace(/\\(.)/g, '$1').toLowerCase())
        : [text !== undefined ? text.replace(/\\(.)/g, '$1').toLowerCase() : (number as string)];
    tests.push((record) => {
      const actual = fieldValue(record, field);
      return (
        (typeof actual === 'string' || typeof actual === 'number') && values.includes(String(actual).toLowerCase())
      );
    });
  }
  return (record) => tests.every((test) => test(record));
}

/** `SELECT … FROM FlowDefinition | Flow [WHERE …]` (Tooling API). Undefined for other objects. */
export function answerFlowQuery(
  org: Org,
  flows: FlowVersions,
  parsed: ParsedQuery,
  version: string,
): QueryAnswer | undefined {
  const object = parsed.object.toLowerCase();
  if (object !== 'flowdefinition' && object !== 'flow') return undefined;
  const matches = parseWhere(parsed.where);
  if (!matches || parsed.tail) {
    return {
      status: 400,
      body: [
        {
          message: `The emulator answers ${parsed.object} only with WHERE Field = 'value' / Field IN (…) terms joined by AND`,
          errorCode: 'MALFORMED_QUERY',
        },
      ],
    };
  }
  const definitions = flows.definitions(org);
  const all =
    object === 'flowdefinition'
      ? definitions.map((d) => flowDefinitionRecord(d, version))
      : definitions.flatMap((d) => d.versions.map((v) => flowRecord(d, v, version)));
  const records = all.filter(matches);
  const wantsMetadata = parsed.fields.some((f) => /^(metadata|fullname)$/i.test(f));
  if (wantsMetadata && records.length > 1) {
    return {
      status: 400,
      body: [
        {
          message:
            'When retrieving results with Metadata or FullName fields, the query qualifications must specify no ' +
            'more than one row for retrieval. Result size: ' +
            String(records.length),
          errorCode: 'MALFORMED_QUERY',
        },
      ],
    };
  }
  const projected = records.map((r) => project(r, parsed.fields));
  return {
    status: 200,
    body: {
      size: projected.length,
      totalSize: projected.length,
      done: true,
      queryLocator: null,
      entityTypeName: object === 'flow' ? 'Flow' : 'FlowDefinition',
      records: projected,
    },
  };
}

function bodyJson(body: Buffer): Json | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

const error = (res: ServerResponse, status: number, errorCode: string, message: string) =>
  sendJson(res, status, [{ message, errorCode }]);

/**
 * `…/tooling/sobjects/FlowDefinition/{id}` (GET, PATCH) and `…/tooling/sobjects/Flow/{id}` (GET, DELETE) for the
 * org of the bearer session. False when the path is another.
 */
export function handleFlowSObjects(
  ctx: EmulatorContext,
  org: Org | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
): boolean {
  const match =
    /^\/services\/data\/v(\d+\.\d+)\/tooling\/sobjects\/(FlowDefinition|Flow)\/([A-Za-z0-9]{15,18})\/?$/.exec(
      url.pathname,
    );
  if (!match) return false;
  const [, version, object, id] = match as unknown as [string, string, string, string];
  if (!org) error(res, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
  else if (object === 'FlowDefinition') answerFlowDefinition(ctx, org, req, res, { version, id, body });
  else answerFlow(ctx, org, req, res, { version, id });
  return true;
}

const notFound = (res: ServerResponse) => error(res, 404, 'NOT_FOUND', 'The requested resource does not exist');

const notAllowed = (res: ServerResponse, method: string | undefined, allowed: string) =>
  error(res, 405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method ?? ''}' not allowed. Allowed are ${allowed}`);

function answerFlowDefinition(
  ctx: EmulatorContext,
  org: Org,
  req: IncomingMessage,
  res: ServerResponse,
  { version, id, body }: { version: string; id: string; body: Buffer },
): void {
  const definition = ctx.flows.byDefinitionId(org, id);
  if (!definition) return notFound(res);
  if (req.method === 'GET') return sendJson(res, 200, flowDefinitionRecord(definition, version));
  if (req.method !== 'PATCH') return notAllowed(res, req.method, 'GET,HEAD,PATCH');
  const metadata = bodyJson(body)?.Metadata;
  if (typeof metadata !== 'object' || metadata === null || !('activeVersionNumber' in metadata)) {
    return error(res, 400, 'JSON_PARSER_ERROR', 'The body must be {"Metadata":{"activeVersionNumber":N}}');
  }
  const wanted = (metadata as Json).activeVersionNumber;
  const number = wanted === null || wanted === undefined ? 0 : Number(wanted);
  if (!Number.isInteger(number) || number < 0) {
    return error(
      res,
      400,
      'INVALID_TYPE_ON_FIELD_IN_RECORD',
      `activeVersionNumber: value not of required type: ${JSON.stringify(wanted)}`,
    );
  }
  const refusal = ctx.flows.setActiveVersion(org, definition, number);
  if (refusal) return error(res, refusal.status, refusal.errorCode, refusal.message);
  ctx.changed([org]);
  res.writeHead(204).end();
}

function answerFlow(
  ctx: EmulatorContext,
  org: Org,
  req: IncomingMessage,
  res: ServerResponse,
  { version, id }: { version: string; id: string },
): void {
  const found = ctx.flows.byVersionId(org, id);
  if (!found) return notFound(res);
  if (req.method === 'GET') return sendJson(res, 200, flowRecord(found.definition, found.version, version));
  if (req.method !== 'DELETE') return notAllowed(res, req.method, 'GET,HEAD,DELETE');
  const refusal = ctx.flows.deleteVersion(org, id);
  if (refusal) return error(res, refusal.status, refusal.errorCode, refusal.message);
  ctx.changed([org]);
  res.writeHead(204).end();
}
