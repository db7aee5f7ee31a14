// A SOAP answer parsed into the object jsforce's own parser makes (xml2js, `explicitArray: false`), in one pass over
// the string. xml2js feeds every character through sax: a checkDeployStatus answer with 10,000 componentSuccesses
// (3 MB) took 0.8-1 s to parse and a checkRetrieveStatus answer carries its zip as megabytes of base64 text. This
// reads the same answers in a few tens of milliseconds. What it does not read (a DOCTYPE, a malformed document)
// throws, and the caller falls back to xml2js.

type XmlObject = Record<string, unknown>;

interface Frame {
  name: string;
  obj: XmlObject;
  /** How many keys `obj` has (counted as they are set: no key list made per element). */
  keys: number;
  text: string;
  cdata: boolean;
}

const QUESTION = 0x3f; // ?
const BANG = 0x21; // !
const SLASH = 0x2f; // /

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|([a-zA-Z]+))?(;?)/g,
    (whole, hex?: string, dec?: string, name?: string, semi?: string) => {
      if (!semi || (hex ?? dec ?? name) === undefined) throw new Error(`A bare or unterminated entity: ${whole}`);
      if (hex !== undefined) return String.fromCodePoint(parseInt(hex, 16));
      if (dec !== undefined) return String.fromCodePoint(parseInt(dec, 10));
      const named = ENTITIES[name!];
      if (named === undefined) throw new Error(`Unknown entity &${name};`);
      return named;
    },
  );
}

/**
 * Sets a key the way xml2js does: a second value with the same name turns it into an array. Returns whether the key
 * is new. An element named `__proto__` becomes an own key, as any other.
 */
function assignOrPush(obj: XmlObject, key: string, value: unknown): boolean {
  if (!Object.prototype.hasOwnProperty.call(obj, key)) {
    if (key === '__proto__') {
      Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
    } else obj[key] = value;
    return true;
  }
  const old = obj[key];
  if (Array.isArray(old)) old.push(value);
  else obj[key] = [old, value];
  return false;
}

/** An element's value as xml2js leaves it: its text alone, its children (and `$` attributes, `_` text), or ''. */
function valueOf(frame: Frame): unknown {
  const { obj, text, keys } = frame;
  const blank = !frame.cdata && (text.length === 0 || /^\s*$/.test(text));
  if (!blank) {
    if (keys === 0) return text;
    return { _: text, ...obj };
  }
  return keys === 0 ? text : obj;
}

const ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function readAttributes(source: string): XmlObject | undefined {
  let attrs: XmlObject | undefined;
  ATTRIBUTE.lastIndex = 0;
  for (let m = ATTRIBUTE.exec(source); m; m = ATTRIBUTE.exec(source)) {
    attrs ??= {};
    assignOrPush(attrs, m[1]!, decode(m[2] ?? m[3] ?? ''));
  }
  return attrs;
}

/** The end of an opening tag that starts at `from`, skipping `>` inside quoted attribute values. */
function tagEnd(xml: string, from: number): number {
  let quote = '';
  for (let i = from; i < xml.length; i++) {
    const c = xml[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  throw new Error('Unterminated tag');
}

/** Parses an XML document into xml2js's shape with `explicitArray: false`: `{ rootName: value }`. */
export function parseSoapXml(xml: string): XmlObject {
  const stack: Frame[] = [];
  let root: XmlObject | undefined;
  let pos = 0;
  const close = (frame: Frame) => {
    const value = valueOf(frame);
    const parent = stack[stack.length - 1];
    if (!parent) assignOrPush((root = {}), frame.name, value);
    else if (assignOrPush(parent.obj, frame.name, value)) parent.keys++;
  };
  while (pos < xml.length) {
    const lt = xml.indexOf('<', pos);
    const top = stack[stack.length - 1];
    const textEnd = lt < 0 ? xml.length : lt;
    if (textEnd > pos) {
      const text = xml.slice(pos, textEnd);
      if (top) top.text += decode(text);
      else if (!/^\s*$/.test(text)) throw new Error('Text outside the root element');
    }
    if (lt < 0) break;
    const next = xml.charCodeAt(lt + 1);
    if (next !== QUESTION && next !== BANG && next !== SLASH) {
      // an opening tag, the most common case (tested first)
      if (root) throw new Error('A second root element');
      const end = tagEnd(xml, lt + 1);
      const selfClosing = xml.charCodeAt(end - 1) === SLASH;
      const inner = xml.slice(lt + 1, selfClosing ? end - 1 : end);
      const nameEnd = inner.search(/[\s]/);
      const name = nameEnd < 0 ? inner : inner.slice(0, nameEnd);
      if (!name) throw new Error('An element without a name');
      const attrs = nameEnd < 0 ? undefined : readAttributes(inner.slice(nameEnd));
      const frame: Frame = attrs
        ? { name, obj: { $: attrs }, keys: 1, text: '', cdata: false }
        : { name, obj: {}, keys: 0, text: '', cdata: false };
      if (selfClosing) close(frame);
      else stack.push(frame);
      pos = end + 1;
    } else if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt);
      if (end < 0) throw new Error('Unterminated processing instruction');
      pos = end + 2;
    } else if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt);
      if (end < 0) throw new Error('Unterminated comment');
      pos = end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt);
      if (end < 0 || !top) throw new Error('Unterminated or misplaced CDATA section');
      top.text += xml.slice(lt + 9, end);
      top.cdata = true;
      pos = end + 3;
    } else if (xml.startsWith('<!', lt)) {
      throw new Error('Declarations (DOCTYPE) are not read');
    } else {
      // a closing tag: the name of the open element, then only whitespace up to `>`
      const end = xml.indexOf('>', lt);
      const frame = stack.pop();
      const nameEnd = lt + 2 + (frame?.name.length ?? 0);
      if (!frame || end < 0 || !xml.startsWith(frame.name, lt + 2) || xml.slice(nameEnd, end).trim() !== '') {
        throw new Error(`Unexpected closing tag </${end < 0 ? '' : xml.slice(lt + 2, end).trim()}>`);
      }
      close(frame);
      pos = end + 1;
    }
  }
  if (stack.length || !root) throw new Error('The document ends inside an element, or holds none');
  return root;
}
