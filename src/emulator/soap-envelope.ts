// SOAP 1.1 envelopes: reading calls, writing responses and faults the way Salesforce does.
import { XMLParser } from 'fast-xml-parser';
import { checkXml } from './xml-check.js';
import { escapeXml, renderElement, type XmlValue } from './xml-writer.js';

const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';
export const PARTNER_NS = 'urn:partner.soap.sforce.com';
const SOAPENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const FAULT_NS = 'urn:fault.partner.soap.sforce.com';

export type SoapArgs = { readonly [key: string]: unknown };

export interface SoapCall {
  readonly operation: string;
  readonly args: SoapArgs;
  readonly sessionId?: string;
  /** The deploy zip, taken out of the body before parsing so the parser never sees ~50 MB of base64. */
  readonly zipFile?: Buffer;
}

/** A SOAP fault: `code` is the Salesforce exception code, e.g. INVALID_SESSION_ID. */
export class SoapFault extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Elements that may repeat in requests; always read as arrays. */
const REPEATED = new Set(['types', 'members', 'queries', 'fullNames', 'runTests', 'packageNames', 'specificFiles']);

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => REPEATED.has(name),
});

function cutElement(body: Buffer, tag: string): { rest: Buffer; content: Buffer } | undefined {
  const open = body.indexOf(`<${tag}>`);
  if (open < 0) return undefined;
  const close = body.indexOf(`</${tag}>`, open);
  if (close < 0) return undefined;
  return {
    rest: Buffer.concat([body.subarray(0, open), body.subarray(close + tag.length + 3)]),
    content: body.subarray(open + tag.length + 2, close),
  };
}

export function parseSoapCall(body: Buffer): SoapCall {
  const zip = cutElement(body, 'ZipFile');
  const xml = (zip?.rest ?? body).toString('utf8');
  const invalid = checkXml(xml);
  if (invalid)
    throw new SoapFault(
      'INVALID_XML',
      `Invalid request body: ${invalid.problem} (line ${invalid.lineNumber}, column ${invalid.columnNumber})`,
    );
  const envelope = (
    parser.parse(xml) as {
      Envelope?: { Header?: { SessionHeader?: { sessionId?: string } }; Body?: Record<string, unknown> };
    }
  ).Envelope;
  const [operation, args] = Object.entries(envelope?.Body ?? {})[0] ?? [];
  if (!operation) throw new SoapFault('INVALID_OPERATION', 'No operation found in the SOAP body');
  const header = envelope?.Header;
  return {
    operation,
    args: typeof args === 'object' && args !== null ? (args as SoapArgs) : {},
    sessionId: typeof header === 'object' ? header.SessionHeader?.sessionId : undefined,
    zipFile: zip && Buffer.from(zip.content.toString('latin1'), 'base64'),
  };
}

function envelope(namespaces: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAPENV_NS}"${namespaces}><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

/** `<{operation}Response>` holding one `<result>` per item (none for an empty list). */
export function soapResponse(operation: string, result: XmlValue, namespace: string = METADATA_NS): string {
  return envelope(` xmlns="${namespace}" xmlns:xsi="${XSI_NS}"`, renderElement(`${operation}Response`, { result }));
}

export function soapFault(fault: SoapFault): string {
  const message = `${fault.code}: ${fault.message}`;
  return envelope(
    ` xmlns:sf="${FAULT_NS}" xmlns:xsi="${XSI_NS}"`,
    `<soapenv:Fault><faultcode>sf:${fault.code}</faultcode><faultstring>${escapeXml(message)}</faultstring>` +
      `<detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>${fault.code}</sf:exceptionCode>` +
      `<sf:exceptionMessage>${escapeXml(fault.message)}</sf:exceptionMessage></sf:UnexpectedErrorFault></detail></soapenv:Fault>`,
  );
}

/** Reads a SOAP boolean; absent means `fallback`. */
export function soapBoolean(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return value === true || value === 'true';
}

export function soapString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function soapList(value: unknown): unknown[] {
  if (value === undefined || value === '') return [];
  return Array.isArray(value) ? value : [value];
}
