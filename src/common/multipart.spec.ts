import { describe, it, expect } from '@jest/globals';
import { multipartBoundary, parseMultipart } from './multipart.js';

describe('parseMultipart', () => {
  it('reads each part with its name, content type and exact bytes', () => {
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x0d, 0x0a, 0x2d, 0x2d, 0xff]);
    const body = Buffer.concat([
      Buffer.from(
        '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="package.xml"\r\nContent-Type: application/zip\r\n\r\n',
      ),
      zip,
      Buffer.from(
        '\r\n--XyZ\r\nContent-Disposition: form-data; name="entity_content"\r\nContent-Type: application/json\r\n\r\n{"deployOptions":{}}',
      ),
      Buffer.from('\r\n--XyZ--\r\n'),
    ]);
    const parts = parseMultipart(body, 'XyZ');
    expect(parts.map((p) => [p.name, p.contentType])).toEqual([
      ['file', 'application/zip'],
      ['entity_content', 'application/json'],
    ]);
    expect(parts[0]?.data.equals(zip)).toBe(true);
    expect(parts[1]?.data.toString()).toBe('{"deployOptions":{}}');
  });

  it('finds the boundary of a form-data content type', () => {
    expect(multipartBoundary('multipart/form-data; boundary=--------------------------123')).toBe(
      '--------------------------123',
    );
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('application/json')).toBeUndefined();
  });
});
