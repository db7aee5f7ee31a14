import { createRequire } from 'node:module';
import { describe, it, expect } from '@jest/globals';
import { parseSoapXml } from './soap-xml.js';

// jsforce's own parser, which parseSoapXml stands in for: every answer must come out the same.
const xml2js = createRequire(import.meta.url)('xml2js') as {
  parseStringPromise(xml: string, options: { explicitArray: boolean }): Promise<unknown>;
};
const jsforceParse = (xml: string) => xml2js.parseStringPromise(xml, { explicitArray: false });

const envelope = (body: string) =>
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
  'xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
  `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

const success = (i: number) =>
  `<componentSuccesses><changed>true</changed><componentType>ApexClass</componentType><created>false</created>` +
  `<createdDate>2026-12-02T17:00:00.000Z</createdDate><deleted>false</deleted><fileName>classes/C${i}.cls</fileName>` +
  `<fullName>C${i}</fullName><id>01p00000000000${i}</id><success>true</success></componentSuccesses>`;

const ANSWERS: Record<string, string> = {
  'a deploy result with repeated successes, one failure and nils': envelope(
    '<checkDeployStatusResponse><result><checkOnly>false</checkOnly><details>' +
      [1, 2, 3].map(success).join('') +
      '<componentFailures><changed>false</changed><componentType>CustomField</componentType>' +
      '<fileName>objects/Account.object</fileName><fullName>Account.Tier__c</fullName>' +
      '<problem>Field &quot;Tier__c&quot; &lt;picklist&gt; &amp; its values &apos;A&apos;, &#8220;B&#x201D; &#x263A;</problem>' +
      '<problemType>Error</problemType><lineNumber>12</lineNumber><success>false</success></componentFailures>' +
      '<runTestResult><numFailures>0</numFailures><numTestsRun>0</numTestsRun><totalTime>0</totalTime></runTestResult>' +
      '</details><done>true</done><errorMessage xsi:nil="true"/><id>0Af000000000001</id>' +
      '<numberComponentErrors>1</numberComponentErrors><status>Failed</status><success>false</success></result>' +
      '</checkDeployStatusResponse>',
  ),
  'a retrieve result with a zip, a message and an empty element': envelope(
    '<checkRetrieveStatusResponse><result><done>true</done><id>09S000000000001</id>' +
      "<messages><fileName>unpackaged/package.xml</fileName><problem>Entity of type 'ApexClass' named 'Gone' cannot be found</problem></messages>" +
      `<status>Succeeded</status><success>true</success><zipFile>${Buffer.alloc(3000, 7).toString('base64')}</zipFile>` +
      '<stateDetail></stateDetail></result></checkRetrieveStatusResponse>',
  ),
  'a fault': envelope(
    '<soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode>' +
      '<faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring>' +
      '</soapenv:Fault>',
  ),
  'whitespace, attributes with text, CDATA, comments and mixed content': `<?xml version="1.0"?>
<!-- a comment before the root -->
<root a="1" b='two &amp; &lt;three&gt;'>
  <blank>   </blank>
  <selfClosing/>
  <withAttributes kind="x"/>
  <typed xsi:type="xsd:string">text with &gt; in it</typed>
  <cdata><![CDATA[<not> &a; tag]]></cdata>
  <cdataBlank><![CDATA[  ]]></cdataBlank>
  <!-- a comment between elements -->
  <mixed>before<child>inner</child>after</mixed>
  <multi>one
two	three</multi>
  <list><item>1</item><item>2</item><item><nested>3</nested></item></list>
  <quoted title="a > b">q</quoted>
</root>
`,
};

describe('parseSoapXml', () => {
  for (const [what, xml] of Object.entries(ANSWERS)) {
    it(`reads ${what} as jsforce's xml2js does`, async () => {
      expect(parseSoapXml(xml)).toStrictEqual(await jsforceParse(xml));
    });
  }

  it('reads a 2,000-component deploy answer as xml2js does', async () => {
    const xml = envelope(
      `<checkDeployStatusResponse><result><details>${Array.from({ length: 2000 }, (_, i) => success(i)).join('')}` +
        '</details><done>true</done></result></checkDeployStatusResponse>',
    );
    const parsed = parseSoapXml(xml);
    expect(parsed).toStrictEqual(await jsforceParse(xml));
    const body = (parsed['soapenv:Envelope'] as Record<string, Record<string, unknown>>)['soapenv:Body'];
    expect(JSON.stringify(body).match(/componentSuccesses/g)).toHaveLength(1);
  });

  it('reads a closing tag with whitespace before its end, as xml2js does', async () => {
    const xml = '<a><b >x</b \n></a >';
    expect(parseSoapXml(xml)).toStrictEqual(await jsforceParse(xml));
  });

  it('keeps an element named __proto__ as an own key, not as the prototype', () => {
    const parsed = parseSoapXml('<a><__proto__>x</__proto__><b>y</b></a>') as { a: Record<string, unknown> };
    expect(Object.getPrototypeOf(parsed.a)).toBe(Object.prototype);
    expect(Object.keys(parsed.a)).toEqual(['__proto__', 'b']);
    expect(Object.getOwnPropertyDescriptor(parsed.a, '__proto__')?.value).toBe('x');
  });

  it.each([
    ['an unclosed element', '<a><b>x</b>'],
    ['a wrong closing tag', '<a><b>x</c></a>'],
    ['a closing tag that only starts with the open name', '<a><b>x</bc></a>'],
    ['a closing tag without its end', '<a><b>x</b'],
    ['an unknown entity', '<a>&nbsp;</a>'],
    ['a bare ampersand', '<a>fish & chips</a>'],
    ['a DOCTYPE', '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'],
    ['two roots', '<a/><b/>'],
    ['text outside the root', 'text<a/>'],
    ['nothing', ''],
  ])('refuses %s (jsforce then parses it its own way)', (_what, xml) => {
    expect(() => parseSoapXml(xml)).toThrow();
  });
});
