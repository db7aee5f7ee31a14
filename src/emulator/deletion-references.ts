// Why Salesforce refuses to delete a component: something else in the org still references it. A custom field
// used by Apex, a Visualforce page, a Lightning web component, an active validation rule or a formula field; a
// custom object used by Apex, Visualforce or a Lightning web component; an Apex class used by another class or
// trigger, a Visualforce page's controller or extensions, or an LWC `@salesforce/apex/…` import.
//
// A reference is the target's name as an identifier (case-insensitive) in the referrer's code or formula: Apex
// source without comments and string literals, a page's controller/extensions attributes and `{!…}` expressions, an
// LWC's `@salesforce/apex|schema/…` imports, an active validation rule's formula, a field's formula. A field's
// reference from code also needs its object's name there (two objects may each have an `Amount__c`). Page layouts do
// not block a field's deletion (Salesforce takes the field off the layout).
import { componentKey, type ComponentContent, type ComponentRef } from './component-store.js';

/** A component as the org holds it at this point of the deploy. */
export interface OrgComponent extends ComponentRef {
  readonly content: ComponentContent;
  readonly parent?: ComponentRef;
}

interface Referrer extends ComponentRef {
  readonly parent?: ComponentRef;
  /** Identifiers it uses, lower case. */
  readonly tokens: ReadonlySet<string>;
}

/** How Salesforce names a referrer in its message (`Apex Class - InvoiceService`). */
const REFERRER_LABEL: Readonly<Record<string, string>> = {
  ApexClass: 'Apex Class',
  ApexTrigger: 'Apex Trigger',
  ApexPage: 'Visualforce Page',
  LightningComponentBundle: 'Lightning Component Bundle',
  ValidationRule: 'Validation Rule',
  CustomField: 'Custom Formula Field',
};

/** What Salesforce says when a deletion is refused, per deleted type. */
const REFUSAL: Readonly<Record<string, string>> = {
  CustomField: 'This custom field is referenced elsewhere in salesforce.com.',
  CustomObject: 'This custom object is referenced elsewhere in salesforce.com. Remove the usage and try again.',
  ApexClass: 'This apex class is referenced elsewhere in salesforce.com. Remove the usage and try again.',
};

/** The types whose deletion is checked for references. */
export function isReferenceChecked(type: string): boolean {
  return type in REFUSAL;
}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/g;

function identifiers(text: string): Set<string> {
  return new Set((text.match(IDENTIFIER) ?? []).map((t) => t.toLowerCase()));
}

/** Apex source without comments and string literals. */
export function apexCode(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:\\.|[^'\\\n])*'/g, ' ');
}

function textOf(content: ComponentContent, suffix: RegExp): string {
  return [...content.files]
    .filter(([path]) => suffix.test(path))
    .map(([, data]) => data.toString('utf8'))
    .join('\n');
}

function element(xml: string, tag: string): string {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]).join('\n');
}

/** The identifiers a component uses, for the types that can hold a reference; undefined for the others. */
export function referenceTokens(component: OrgComponent): Set<string> | undefined {
  const { content } = component;
  switch (component.type) {
    case 'ApexClass':
      return identifiers(apexCode(textOf(content, /\.cls$/)));
    case 'ApexTrigger':
      return identifiers(apexCode(textOf(content, /\.trigger$/)));
    case 'ApexPage': {
      const page = textOf(content, /\.page$/);
      const attributes = [...page.matchAll(/\b(?:controller|extensions)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]);
      const expressions = [...page.matchAll(/\{!([^}]*)\}/g)].map((m) => m[1]);
      return identifiers([...attributes, ...expressions].join(' '));
    }
    case 'LightningComponentBundle': {
      const js = textOf(content, /\.js$/);
      return identifiers(
        [...js.matchAll(/@salesforce\/(?:apex|schema)\/([A-Za-z0-9_.]+)/g)].map((m) => m[1]).join(' '),
      );
    }
    case 'ValidationRule': {
      const rule = textOf(content, /./);
      return /<active>\s*true\s*<\/active>/.test(rule)
        ? identifiers(element(rule, 'errorConditionFormula'))
        : new Set();
    }
    case 'CustomField':
      return identifiers(element(textOf(content, /./), 'formula'));
    default:
      return undefined;
  }
}

/** The org's components that can reference something, with the identifiers each uses. */
export function referrersIn(components: Iterable<OrgComponent>): Referrer[] {
  const out: Referrer[] = [];
  for (const component of components) {
    if (!(component.type in REFERRER_LABEL)) continue;
    const tokens = referenceTokens(component);
    if (tokens?.size)
      out.push({ type: component.type, fullName: component.fullName, parent: component.parent, tokens });
  }
  return out;
}

const lower = (name: string) => name.toLowerCase();
/** `Invoice__c` → `invoice__r`, the name a formula or query reaches a custom object's fields through. */
const relationshipName = (object: string) => lower(object).replace(/__c$/, '__r');

function sameObject(referrer: Referrer, object: string): boolean {
  return !!referrer.parent && lower(referrer.parent.fullName) === lower(object);
}

function references(referrer: Referrer, target: ComponentRef): boolean {
  const code = referrer.type !== 'ValidationRule' && referrer.type !== 'CustomField';
  switch (target.type) {
    case 'ApexClass':
      return code && referrer.tokens.has(lower(target.fullName));
    case 'CustomObject':
      return code && referrer.tokens.has(lower(target.fullName));
    case 'CustomField': {
      const dot = target.fullName.indexOf('.');
      const object = target.fullName.slice(0, dot);
      const field = lower(target.fullName.slice(dot + 1));
      if (!referrer.tokens.has(field)) return false;
      if (code) return referrer.tokens.has(lower(object));
      return sameObject(referrer, object) || referrer.tokens.has(relationshipName(object));
    }
    default:
      return false;
  }
}

/**
 * The problem Salesforce reports when `target` cannot be deleted because `referrers` (what the org holds now, less
 * what this deploy already deleted) still use it; undefined when nothing does. The target itself and components that
 * go with it (an object's own fields and rules) are not referrers.
 */
export function referenceProblem(target: ComponentRef, referrers: readonly Referrer[]): string | undefined {
  const refusal = REFUSAL[target.type];
  if (!refusal) return undefined;
  const targetKey = componentKey(target);
  const using = referrers.filter(
    (r) =>
      componentKey(r) !== targetKey &&
      !(target.type === 'CustomObject' && r.parent && componentKey(r.parent) === targetKey) &&
      references(r, target),
  );
  if (using.length === 0) return undefined;
  const named = using
    .map((r) => `${REFERRER_LABEL[r.type]} - ${r.fullName}`)
    .sort()
    .join(', ');
  return `${refusal} : ${named}.`;
}
