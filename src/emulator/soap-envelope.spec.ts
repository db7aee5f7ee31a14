import { describe, it, expect } from '@jest/globals';
import { parseSoapCall, soapFault, SoapFault, soapResponse } from './soap-envelope.js';

const call = (body: string, header = '<SessionHeader><sessionId>tok</sessionId></SessionHeader>') =>
  Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header xmlns="http://soap.sforce.com/2006/04/metadata">${header}</soapenv:Header><soapenv:Body xmlns="http://soap.sforce.com/2006/04/metadata">${body}</soapenv:Body></soapenv:Envelope>`,
  );

describe('parseSoapCall', () => {
  it('reads the operation, its arguments and the session id', () => {
    const parsed = parseSoapCall(
      call(
        '<checkDeployStatus><asyncProcessId>0Af1</asyncProcessId><includeDetails>true</includeDetails></checkDeployStatus>',
      ),
    );
    expect(parsed.operation).toBe('checkDeployStatus');
    expect(parsed.sessionId).toBe('tok');
    expect(parsed.args).toEqual({ asyncProcessId: '0Af1', includeDetails: 'true' });
  });

  it('takes the zip out of a deploy as bytes and keeps the options', () => {
    const zip = Buffer.from('PK-not-really-a-zip');
    const parsed = parseSoapCall(
      call(
        `<deploy><ZipFile>${zip.toString('base64')}</ZipFile><DeployOptions><runTests>T1</runTests></DeployOptions></deploy>`,
      ),
    );
    expect(parsed.zipFile).toEqual(zip);
    expect(parsed.args).toEqual({ DeployOptions: { runTests: ['T1'] } });
  });

  it('reads repeated retrieve members as arrays even when there is one', () => {
    const parsed = parseSoapCall(
      call(
        '<retrieve><request><unpackaged><types><members>A</members><name>ApexClass</name></types></unpackaged></request></retrieve>',
      ),
    );
    expect(parsed.args).toEqual({ request: { unpackaged: { types: [{ members: ['A'], name: 'ApexClass' }] } } });
  });

  it('has no session id when the header carries none', () => {
    expect(parseSoapCall(call('<describeMetadata/>', '')).sessionId).toBe(undefined);
  });

  it('refuses a body that is not XML', () => {
    expect(() => parseSoapCall(Buffer.from('<Envelope><Body>'))).toThrow(SoapFault);
  });
});

describe('SOAP responses', () => {
  it('answers with a prefixed envelope and no attribute on the body', () => {
    const xml = soapResponse('deploy', { id: '0Af1', done: false });
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><soapenv:Envelope xmlns:soapenv="http:\/\/schemas.xmlsoap.org\/soap\/envelope\/" xmlns="http:\/\/soap.sforce.com\/2006\/04\/metadata"/,
    );
    expect(xml).toContain(
      '<soapenv:Body><deployResponse><result><id>0Af1</id><done>false</done></result></deployResponse></soapenv:Body>',
    );
  });

  it('writes faults with an sf-prefixed code and the code in the message', () => {
    const xml = soapFault(
      new SoapFault('INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session'),
    );
    expect(xml).toContain('<faultcode>sf:INVALID_SESSION_ID</faultcode>');
    expect(xml).toContain(
      '<faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring>',
    );
    expect(xml).toContain('xmlns:sf="urn:fault.partner.soap.sforce.com"');
  });
});
