// A small XML writer for AWS answers: a value tree becomes elements, lists become <member>/<item> children.

export type XmlValue =
  string | number | boolean | Date | undefined | readonly XmlValue[] | { readonly [name: string]: XmlValue };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]!};`);
}

const isList = (value: XmlValue): value is readonly XmlValue[] => Array.isArray(value);

/** `<name>…</name>` for a value; undefined fields are left out, an empty list is `<name/>`. */
export function element(name: string, value: XmlValue, listItem: 'member' | 'item'): string {
  if (value === undefined) return '';
  if (isList(value)) {
    const items = value.map((v) => element(listItem, v, listItem)).join('');
    return items ? `<${name}>${items}</${name}>` : `<${name}/>`;
  }
  return `<${name}>${content(value, listItem)}</${name}>`;
}

function content(value: Exclude<XmlValue, undefined | readonly XmlValue[]>, listItem: 'member' | 'item'): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object')
    return Object.entries(value)
      .map(([k, v]) => element(k, v, listItem))
      .join('');
  return escapeXml(String(value));
}

export function children(fields: { readonly [name: string]: XmlValue }, listItem: 'member' | 'item'): string {
  return Object.entries(fields)
    .map(([k, v]) => element(k, v, listItem))
    .join('');
}
