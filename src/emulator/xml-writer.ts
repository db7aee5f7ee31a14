// Serializes plain values into XML elements (the shape jsforce's xml2js reading expects).

/** A value to render: objects become nested elements, arrays repeat their element, `@name` keys are attributes. */
export type XmlValue =
  string | number | boolean | null | undefined | readonly XmlValue[] | { readonly [key: string]: XmlValue };

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Renders `<name>value</name>`; `undefined` renders nothing, `null` an `xsi:nil` element. */
export function renderElement(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item: XmlValue) => renderElement(name, item)).join('');
  if (value === null) return `<${name} xsi:nil="true"/>`;
  if (typeof value === 'object') {
    let attributes = '';
    let content = '';
    for (const [key, child] of Object.entries(value as { readonly [key: string]: XmlValue })) {
      if (key.startsWith('@')) {
        // An attribute holds one value (xsi:type); there is nothing to write for a list or an element.
        if (typeof child === 'string' || typeof child === 'number' || typeof child === 'boolean') {
          attributes += ` ${key.slice(1)}="${escapeXml(String(child))}"`;
        }
      } else {
        content += renderElement(key, child);
      }
    }
    return `<${name}${attributes}>${content}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}
