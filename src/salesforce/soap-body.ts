/** Bytes of base64 written at a time: a multiple of 3 (no padding inside), small enough for V8's young generation. */
const SLICE_BYTES = 3 * 16 * 1024;

/**
 * `text` as UTF-8 with the one occurrence of `marker` replaced by the base64 of `data`, written straight into the
 * result. A SOAP request carrying a zip (a deploy's `ZipFile`) would otherwise hold the base64 as a string, the
 * envelope as a second and the UTF-8 request as a third copy: three times a third more than the zip. Throws when the
 * marker is not in the text exactly once, before anything is sent.
 */
export function spliceBase64(text: string, marker: string, data: Buffer): Buffer {
  const at = text.indexOf(marker);
  if (marker.length === 0 || at < 0 || text.indexOf(marker, at + 1) >= 0) {
    throw new Error('The SOAP envelope does not hold its placeholder exactly once: nothing was sent.');
  }
  const head = Buffer.from(text.slice(0, at), 'utf8');
  const tail = Buffer.from(text.slice(at + marker.length), 'utf8');
  const out = Buffer.allocUnsafe(head.length + 4 * Math.ceil(data.length / 3) + tail.length);
  let offset = head.copy(out, 0);
  for (let i = 0; i < data.length; i += SLICE_BYTES) {
    offset += out.write(data.subarray(i, i + SLICE_BYTES).toString('base64'), offset, 'latin1');
  }
  offset += tail.copy(out, offset);
  if (offset !== out.length) throw new Error(`spliceBase64 wrote ${offset} of ${out.length} bytes`);
  return out;
}
