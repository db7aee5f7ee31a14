// POST /services/Soap/m/{version}: the Metadata API calls.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { deployResultXml } from './deploy-result.js';
import { isDone, type DeployJob, type DeployOptions } from './deploy-service.js';
import type { EmulatorContext } from './emulator-context.js';
import { dropConnection, sendXml } from './http-io.js';
import { describeMetadata, listMetadata, MAX_LIST_QUERIES, readMetadata, type ListQuery } from './metadata-queries.js';
import type { Org } from './org-registry.js';
import type { RetrieveRequest } from './retrieve-engine.js';
import { retrieveResultXml } from './retrieve-service.js';
import {
  parseSoapCall,
  soapBoolean,
  soapFault,
  SoapFault,
  soapList,
  soapResponse,
  soapString,
  type SoapArgs,
  type SoapCall,
} from './soap-envelope.js';
import type { XmlValue } from './xml-writer.js';

const asArgs = (value: unknown): SoapArgs => (typeof value === 'object' && value !== null ? (value as SoapArgs) : {});

function requireString(args: SoapArgs, ...names: string[]): string {
  for (const name of names) {
    const value = soapString(args[name]);
    if (value) return value;
  }
  throw new SoapFault('INVALID_ARGUMENT', `Missing argument: ${names[0]}`);
}

const unknownId = (id: string) => new SoapFault('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id: ${id}`);

export function deployOptionsOf(raw: SoapArgs): DeployOptions {
  return {
    checkOnly: soapBoolean(raw.checkOnly, false),
    rollbackOnError: soapBoolean(raw.rollbackOnError, true),
    ignoreWarnings: soapBoolean(raw.ignoreWarnings, false),
    singlePackage: soapBoolean(raw.singlePackage, false),
    purgeOnDelete: soapBoolean(raw.purgeOnDelete, false),
    testLevel: soapString(raw.testLevel),
    runTests: soapList(raw.runTests).map(String),
  };
}

function retrieveRequestOf(raw: SoapArgs, defaultVersion: string): RetrieveRequest {
  const unpackaged = asArgs(raw.unpackaged);
  return {
    apiVersion: soapString(raw.apiVersion) ?? soapString(unpackaged.version) ?? defaultVersion,
    singlePackage: soapBoolean(raw.singlePackage, false),
    types: soapList(unpackaged.types).map((type) => {
      const t = asArgs(type);
      return { name: soapString(t.name) ?? '', members: soapList(t.members).map(String) };
    }),
  };
}

function dispatch(ctx: EmulatorContext, org: Org, call: SoapCall, version: string): XmlValue {
  const { args } = call;
  switch (call.operation) {
    case 'deploy': {
      if (!call.zipFile) throw new SoapFault('INVALID_ARGUMENT', 'Missing argument: ZipFile');
      const job = ctx.deploys.submit(org, call.zipFile, deployOptionsOf(asArgs(args.DeployOptions)));
      return { done: false, id: job.id, state: 'Queued' };
    }
    case 'checkDeployStatus': {
      const id = requireString(args, 'asyncProcessId');
      const job = ctx.deploys.find(org, id);
      if (!job) throw unknownId(id);
      return deployResultXml(job, soapBoolean(args.includeDetails, false), Date.now());
    }
    case 'cancelDeploy': {
      const id = requireString(args, 'id', 'String', 'asyncProcessId');
      const before = ctx.deploys.find(org, id);
      if (!before) throw unknownId(id);
      // Salesforce refuses to cancel a deploy that finished; a repeated cancel answers like the first.
      if (isDone(before) && before.status !== 'Canceled') {
        throw new SoapFault('INVALID_ID_FIELD', 'Deployment already completed');
      }
      const job = ctx.deploys.cancel(org, id) as DeployJob;
      return { done: isDone(job), id: job.id };
    }
    case 'deployRecentValidation': {
      const id = requireString(args, 'validationId', 'validatedDeployRequestId');
      const job = ctx.deploys.deployValidation(org, id);
      if (typeof job === 'string') throw new SoapFault('INVALID_ID_FIELD', `${job}: ${id}`);
      return job.id;
    }
    case 'retrieve': {
      const job = ctx.retrieves.submit(org, retrieveRequestOf(asArgs(args.request ?? args.retrieveRequest), version));
      return { done: false, id: job.id, state: 'Queued' };
    }
    case 'checkRetrieveStatus': {
      const id = requireString(args, 'asyncProcessId');
      const job = ctx.retrieves.find(org, id);
      if (!job) throw unknownId(id);
      return retrieveResultXml(job, soapBoolean(args.includeZip, true));
    }
    case 'listMetadata': {
      const queries = soapList(args.queries).map((q) => asArgs(q) as unknown as ListQuery);
      if (queries.length > MAX_LIST_QUERIES)
        throw new SoapFault('LIMIT_EXCEEDED', `No more than ${MAX_LIST_QUERIES} ListMetadataQuery allowed in one call`);
      return listMetadata(org.components, queries);
    }
    case 'describeMetadata':
      return describeMetadata();
    case 'readMetadata':
      return {
        records: readMetadata(org.components, requireString(args, 'type'), soapList(args.fullNames).map(String)),
      };
    default:
      throw new SoapFault(
        'INVALID_OPERATION',
        `No operation available for request {http://soap.sforce.com/2006/04/metadata}${call.operation}`,
      );
  }
}

export async function handleMetadataSoap(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  version: string,
): Promise<void> {
  let call: SoapCall;
  try {
    call = parseSoapCall(body);
  } catch (error) {
    if (error instanceof SoapFault) {
      sendXml(res, 500, soapFault(error));
      return;
    }
    throw error;
  }
  const org = ctx.orgs.get(ctx.sessions.orgOf(call.sessionId) ?? '');
  if (!org) {
    sendXml(
      res,
      500,
      soapFault(new SoapFault('INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session')),
    );
    return;
  }

  const latency = ctx.faults.latencyFor(org.id, call.operation);
  if (latency > 0) await sleep(latency);
  const drop = ctx.faults.takeConnectionDrop(
    org.id,
    call.operation,
    call.operation === 'checkDeployStatus' ? soapBoolean(call.args.includeDetails, false) : undefined,
  );
  if (drop && !drop.afterProcessing) {
    dropConnection(req);
    return;
  }

  let xml: string;
  let status = 200;
  try {
    xml = soapResponse(call.operation, dispatch(ctx, org, call, version));
  } catch (error) {
    if (!(error instanceof SoapFault)) throw error;
    xml = soapFault(error);
    status = 500;
  }
  if (drop) {
    dropConnection(req);
    return;
  }
  sendXml(res, status, xml);
}
