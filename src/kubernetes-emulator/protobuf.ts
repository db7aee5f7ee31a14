// Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), which client-go's typed
// clients send for built-in kinds — Helm's Secret and ConfigMap storage drivers among them. The envelope is the magic
// `k8s\0` and a runtime.Unknown {typeMeta, raw}; the kinds decoded are those a typed client writes here: Secret,
// ConfigMap and DeleteOptions (field numbers from k8s.io/api and apimachinery `generated.proto`).
import type { JsonObject } from './json.js';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export class ProtobufError extends Error {}

type Field = { readonly number: number; readonly varint?: bigint; readonly bytes?: Buffer };

/** The fields of one protobuf message, in order (fixed-width values are skipped: none of the decoded kinds use them). */
function fieldsOf(buffer: Buffer): Field[] {
  const fields: Field[] = [];
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (offset >= buffer.length) throw new ProtobufError('truncated varint');
      const byte = buffer[offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  };
  while (offset < buffer.length) {
    const key = varint();
    const number = Number(key >> 3n);
    switch (Number(key & 7n)) {
      case 0:
        fields.push({ number, varint: varint() });
        break;
      case 1:
        offset += 8;
        break;
      case 2: {
        const length = Number(varint());
        if (offset + length > buffer.length) throw new ProtobufError('truncated field');
        fields.push({ number, bytes: buffer.subarray(offset, offset + length) });
        offset += length;
        break;
      }
      case 5:
        offset += 4;
        break;
      default:
        throw new ProtobufError(`unsupported wire type in field ${number}`);
    }
  }
  return fields;
}

const text = (field: Field) => field.bytes?.toString('utf8') ?? '';

/** A `map<string, string|bytes>` field: repeated entries {key = 1, value = 2}. */
function mapOf(fields: Field[], number: number, value: (bytes: Buffer) => string): Record<string, string> | undefined {
  const entries = fields.filter((f) => f.number === number && f.bytes);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(
    entries.map((entry) => {
      const parts = fieldsOf(entry.bytes!);
      const key = parts.find((p) => p.number === 1);
      const found = parts.find((p) => p.number === 2);
      return [key ? text(key) : '', value(found?.bytes ?? Buffer.alloc(0))];
    }),
  );
}

const utf8 = (bytes: Buffer) => bytes.toString('utf8');
const base64 = (bytes: Buffer) => bytes.toString('base64');

function objectMeta(bytes: Buffer | undefined): JsonObject {
  const fields = fieldsOf(bytes ?? Buffer.alloc(0));
  const meta: JsonObject = {};
  const strings: Record<number, string> = {
    1: 'name',
    2: 'generateName',
    3: 'namespace',
    5: 'uid',
    6: 'resourceVersion',
  };
  for (const field of fields) {
    const name = strings[field.number];
    if (name && field.bytes) meta[name] = text(field);
  }
  const labels = mapOf(fields, 11, utf8);
  const annotations = mapOf(fields, 12, utf8);
  if (labels) meta.labels = labels;
  if (annotations) meta.annotations = annotations;
  const finalizers = fields.filter((f) => f.number === 14).map(text);
  if (finalizers.length) meta.finalizers = finalizers;
  return meta;
}

function decodeKind(kind: string, raw: Buffer): JsonObject {
  const fields = fieldsOf(raw);
  const field = (n: number) => fields.find((f) => f.number === n);
  const bool = (n: number) => (field(n)?.varint === undefined ? undefined : field(n)!.varint !== 0n);
  const withoutUndefined = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as JsonObject;
  switch (kind) {
    case 'Secret':
      return withoutUndefined({
        metadata: objectMeta(field(1)?.bytes),
        data: mapOf(fields, 2, base64),
        type: field(3) && text(field(3)!),
        stringData: mapOf(fields, 4, utf8),
        immutable: bool(5),
      });
    case 'ConfigMap':
      return withoutUndefined({
        metadata: objectMeta(field(1)?.bytes),
        data: mapOf(fields, 2, utf8),
        binaryData: mapOf(fields, 3, base64),
        immutable: bool(4),
      });
    case 'DeleteOptions':
      return withoutUndefined({
        gracePeriodSeconds: field(1)?.varint === undefined ? undefined : Number(field(1)!.varint),
        orphanDependents: bool(3),
        propagationPolicy: field(4) && text(field(4)!),
        dryRun: fields.filter((f) => f.number === 5).map(text),
      });
    default:
      throw new ProtobufError(`protobuf bodies of kind ${kind} are not supported: send JSON`);
  }
}

/** The JSON form of a protobuf request body; throws ProtobufError for anything but the kinds above. */
export function decodeProtobuf(body: Buffer): JsonObject {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC))
    throw new ProtobufError('the body does not start with the Kubernetes protobuf magic');
  const unknown = fieldsOf(body.subarray(MAGIC.length));
  const typeMeta = fieldsOf(unknown.find((f) => f.number === 1)?.bytes ?? Buffer.alloc(0));
  const apiVersion = text(typeMeta.find((f) => f.number === 1) ?? { number: 1 });
  const kind = text(typeMeta.find((f) => f.number === 2) ?? { number: 2 });
  const raw = unknown.find((f) => f.number === 2)?.bytes ?? Buffer.alloc(0);
  return { apiVersion, kind, ...decodeKind(kind, raw) };
}
