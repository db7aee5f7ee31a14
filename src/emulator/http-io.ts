// Small helpers over node:http requests and responses.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson as sendCommonJson } from '../common/http-io.js';

export function sendXml(res: ServerResponse, status: number, xml: string): void {
  const body = Buffer.from(xml, 'utf8');
  res.writeHead(status, { 'Content-Type': 'text/xml;charset=UTF-8', 'Content-Length': body.length });
  res.end(body);
}

/** JSON as Salesforce's REST API answers it (with the charset). */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendCommonJson(res, status, value, 'application/json;charset=UTF-8');
}

/** Ends the connection without any answer, the way a network failure looks to the client. */
export function dropConnection(req: IncomingMessage): void {
  req.socket.destroy();
}
