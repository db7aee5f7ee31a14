import { describe, expect, it } from '@jest/globals';
import { decodeProtobuf, ProtobufError } from './protobuf.js';

// A minimal protobuf writer for test vectors: length-delimited fields and varints.
const varint = (value: number): Buffer => {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
};
const bytesField = (number: number, content: Buffer | string) => {
  const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return Buffer.concat([varint((number << 3) | 2), varint(data.length), data]);
};
const varintField = (number: number, value: number) => Buffer.concat([varint(number << 3), varint(value)]);
const entry = (number: number, key: string, value: Buffer | string) =>
  bytesField(number, Buffer.concat([bytesField(1, key), bytesField(2, value)]));
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    bytesField(1, Buffer.concat([bytesField(1, apiVersion), bytesField(2, kind)])),
    bytesField(2, raw),
    bytesField(4, 'application/vnd.kubernetes.protobuf'),
  ]);

describe('decodeProtobuf', () => {
  it('reads a Secret the way Helm writes it: metadata, labels, binary data and type', () => {
    const metadata = Buffer.concat([
      bytesField(1, 'sh.helm.release.v1.shop.v1'),
      bytesField(3, 'default'),
      entry(11, 'owner', 'helm'),
      entry(11, 'status', 'deployed'),
    ]);
    const secret = Buffer.concat([
      bytesField(1, metadata),
      entry(2, 'release', Buffer.from([0x1f, 0x8b, 0x08, 0x00])),
      bytesField(3, 'helm.sh/release.v1'),
      varintField(5, 1),
    ]);
    expect(decodeProtobuf(envelope('v1', 'Secret', secret))).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'sh.helm.release.v1.shop.v1',
        namespace: 'default',
        labels: { owner: 'helm', status: 'deployed' },
      },
      data: { release: Buffer.from([0x1f, 0x8b, 0x08, 0x00]).toString('base64') },
      type: 'helm.sh/release.v1',
      immutable: true,
    });
  });

  it('reads ConfigMaps and DeleteOptions', () => {
    const configMap = Buffer.concat([bytesField(1, bytesField(1, 'settings')), entry(2, 'mode', 'blue')]);
    expect(decodeProtobuf(envelope('v1', 'ConfigMap', configMap))).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings' },
      data: { mode: 'blue' },
    });
    const options = Buffer.concat([varintField(1, 30), bytesField(4, 'Orphan')]);
    expect(decodeProtobuf(envelope('meta.k8s.io/v1', 'DeleteOptions', options))).toMatchObject({
      gracePeriodSeconds: 30,
      propagationPolicy: 'Orphan',
    });
  });

  it('refuses bodies without the magic, truncated ones and kinds it does not decode', () => {
    expect(() => decodeProtobuf(Buffer.from('{}'))).toThrow(ProtobufError);
    expect(() =>
      decodeProtobuf(Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0a, 0x05, 0x01])])),
    ).toThrow('truncated field');
    expect(() => decodeProtobuf(envelope('apps/v1', 'Deployment', Buffer.alloc(0)))).toThrow(
      'protobuf bodies of kind Deployment are not supported',
    );
  });
});
