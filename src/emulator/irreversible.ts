// What Salesforce does not let a deploy undo: record types the API cannot delete, picklist values a deploy only
// deactivates, deleted custom fields kept (with their data) for 15 days before they are erased.
import { toContent, type ComponentContent, type ComponentRecord, type ComponentRef } from './component-store.js';
import { childText, outlineXml, type XmlSpan } from './xml-outline.js';

/** Salesforce's answer to a RecordType in destructive changes (the deploy fails on it). */
export const RECORD_TYPE_DELETE_PROBLEM = 'Cannot delete record type through API';

/** Why Salesforce refuses to delete this component through a deploy; undefined when it deletes it. */
export function deletionRefusal(ref: ComponentRef): string | undefined {
  return ref.type === 'RecordType' ? RECORD_TYPE_DELETE_PROBLEM : undefined;
}

/** A span's offsets moved by `base` (outlines of a slice are relative to the slice). */
function shifted(span: XmlSpan, base: number): XmlSpan {
  return {
    tag: span.tag,
    start: span.start + base,
    end: span.end + base,
    contentStart: span.contentStart + base,
    contentEnd: span.contentEnd + base,
  };
}

/** The direct children of `span` inside `xml`, with absolute offsets. */
function childrenOf(xml: string, span: XmlSpan): XmlSpan[] {
  const slice = xml.slice(span.start, span.end);
  return outlineXml(slice).children.map((c) => shifted(c, span.start));
}

/** The picklist values of a `<fields>` / `<CustomField>` element: the valueSetDefinition span and its values. */
function picklistValues(xml: string): { definition: XmlSpan; values: { name: string; span: XmlSpan }[] } | undefined {
  let root: XmlSpan;
  try {
    root = outlineXml(xml).root;
  } catch {
    return undefined;
  }
  const valueSet = childrenOf(xml, root).find((c) => c.tag === 'valueSet');
  const definition = valueSet && childrenOf(xml, valueSet).find((c) => c.tag === 'valueSetDefinition');
  if (!definition) return undefined;
  const values = childrenOf(xml, definition)
    .filter((c) => c.tag === 'value')
    .map((span) => ({ name: childText(xml.slice(span.start, span.end), shifted(span, -span.start), 'fullName'), span }))
    .filter((v): v is { name: string; span: XmlSpan } => v.name !== undefined);
  return { definition, values };
}

/** A `<value>` element marked inactive (its `isActive` set to false, or added before its label). */
function inactive(value: string): string {
  if (/<isActive>[^<]*<\/isActive>/.test(value))
    return value.replace(/<isActive>[^<]*<\/isActive>/, '<isActive>false</isActive>');
  const label = /\n([ \t]*)<label>/.exec(value);
  if (label) return `${value.slice(0, label.index)}\n${label[1]}<isActive>false</isActive>${value.slice(label.index)}`;
  return value.replace(/<\/value>$/, '<isActive>false</isActive></value>');
}

/**
 * A picklist field deployed without some values the org has keeps them, inactive: "If picklist values are missing
 * from a component definition, they get deactivated when deployed" (Metadata API, CustomValue). Returns the
 * incoming element with the omitted values appended, each with `<isActive>false</isActive>`.
 */
export function keepOmittedPicklistValues(existing: string, incoming: string): string {
  const before = picklistValues(existing);
  const after = picklistValues(incoming);
  if (!before || !after) return incoming;
  const sent = new Set(after.values.map((v) => v.name.toLowerCase()));
  const omitted = before.values.filter((v) => !sent.has(v.name.toLowerCase()));
  if (omitted.length === 0) return incoming;
  const last = after.values.at(-1)?.span;
  const indent = last ? /[ \t]*$/.exec(incoming.slice(0, last.start))![0] : '';
  const at = last ? last.end : after.definition.contentEnd;
  const added = omitted.map((v) => `\n${indent}${inactive(existing.slice(v.span.start, v.span.end))}`).join('');
  return incoming.slice(0, at) + added + incoming.slice(at);
}

/** What a deploy writes for a component the org has: for a picklist field, its omitted values stay, inactive. */
export function writtenContent(existing: ComponentRecord | undefined, content: ComponentContent, type: string) {
  if (!existing || type !== 'CustomField') return content;
  const files = new Map<string, Buffer>();
  let changed = false;
  for (const [path, data] of content.files) {
    const old = existing.content.files.get(path);
    const merged = old ? keepOmittedPicklistValues(old.toString('utf8'), data.toString('utf8')) : undefined;
    changed ||= merged !== undefined && merged !== data.toString('utf8');
    files.set(path, merged !== undefined ? Buffer.from(merged) : data);
  }
  return changed ? toContent(files) : content;
}

/** Salesforce keeps a deleted custom field and its data this long (Setup → Deleted Fields), then erases it. */
export const DELETED_FIELD_RETENTION_DAYS = 15;

export interface DeletedField {
  readonly fullName: string;
  readonly id: string;
  readonly deletedDate: string;
  /** When Salesforce erases it for good (deletedDate + 15 days); until then it can be undeleted in Setup. */
  readonly erasedAfter: string;
}

/** An org's deleted custom fields, as Setup's Deleted Fields list shows them. */
export class DeletedFields {
  private readonly fields: DeletedField[] = [];

  record(record: ComponentRecord, date: string): void {
    if (record.type !== 'CustomField') return;
    const erasedAfter = new Date(Date.parse(date) + DELETED_FIELD_RETENTION_DAYS * 86_400_000).toISOString();
    this.fields.push({ fullName: record.fullName, id: record.id, deletedDate: date, erasedAfter });
  }

  /** The fields deleted in the last 15 days (older ones are erased). */
  list(now = new Date()): DeletedField[] {
    const kept = this.fields.filter((f) => Date.parse(f.erasedAfter) > now.getTime());
    this.fields.splice(0, this.fields.length, ...kept);
    return [...kept];
  }

  clear(): void {
    this.fields.length = 0;
  }
}
