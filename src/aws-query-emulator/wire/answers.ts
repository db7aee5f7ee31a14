// The XML envelopes of AWS Query (Auto Scaling) and EC2 Query answers, successful and failed.
import { escapeXml } from './xml.js';

export type QueryFlavour = 'query' | 'ec2';

/** `<ActionResponse>` with `<ActionResult>` (omitted when empty) and ResponseMetadata; EC2: requestId first, no Result. */
export function successXml(
  flavour: QueryFlavour,
  namespace: string,
  action: string,
  inner: string,
  requestId: string,
): string {
  const body =
    flavour === 'ec2'
      ? `<requestId>${requestId}</requestId>${inner}`
      : `${inner ? `<${action}Result>${inner}</${action}Result>` : ''}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${namespace}">${body}</${action}Response>`;
}

export function errorXml(
  flavour: QueryFlavour,
  namespace: string,
  error: { code: string; message: string; status: number },
  requestId: string,
): string {
  const code = escapeXml(error.code);
  const message = escapeXml(error.message);
  if (flavour === 'ec2')
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
