import { zipOf } from './deploy-flow.js';
import type { EmulatorHandle } from '../../src/emulator/emulator.server.js';

export const SRC = 'force-app/main/default';
const PROJECT = '{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"60.0"}';
const CLASS_META =
  '<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>60.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n';
const LWC_META =
  '<?xml version="1.0" encoding="UTF-8"?>\n<LightningComponentBundle xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>60.0</apiVersion>\n    <isExposed>false</isExposed>\n</LightningComponentBundle>\n';
const OBJECT = (label: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">\n    <deploymentStatus>Deployed</deploymentStatus>\n    <label>${label}</label>\n    <nameField>\n        <label>${label} Name</label>\n        <type>Text</type>\n    </nameField>\n    <pluralLabel>${label}s</pluralLabel>\n    <sharingModel>ReadWrite</sharingModel>\n</CustomObject>\n`;
const FIELD = (name: string, label: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">\n    <fullName>${name}</fullName>\n    <label>${label}</label>\n    <length>80</length>\n    <type>Text</type>\n</CustomField>\n`;

/** Source files of an Apex class, a bundle, an object with fields… keyed by path; pick what a version holds. */
export const PARTS: Record<string, Record<string, string>> = {
  'ApexClass:Keep': {
    [`${SRC}/classes/Keep.cls`]: 'public class Keep {\n    public static Integer n() { return 1; }\n}\n',
    [`${SRC}/classes/Keep.cls-meta.xml`]: CLASS_META,
  },
  'ApexClass:Doomed': {
    [`${SRC}/classes/Doomed.cls`]:
      "public class Doomed {\n    // removed in v2\n    public static String why() { return 'legacy'; }\n}\n",
    [`${SRC}/classes/Doomed.cls-meta.xml`]: CLASS_META,
  },
  'LightningComponentBundle:oldCard': {
    [`${SRC}/lwc/oldCard/oldCard.js`]:
      "import { LightningElement } from 'lwc';\n\nexport default class OldCard extends LightningElement {}\n",
    [`${SRC}/lwc/oldCard/oldCard.html`]: '<template>\n    <p>Old card — é</p>\n</template>\n',
    [`${SRC}/lwc/oldCard/oldCard.js-meta.xml`]: LWC_META,
  },
  'CustomField:Account.Tier__c': { [`${SRC}/objects/Account/fields/Tier__c.field-meta.xml`]: FIELD('Tier__c', 'Tier') },
  'CustomObject:Inv__c': {
    [`${SRC}/objects/Inv__c/Inv__c.object-meta.xml`]: OBJECT('Inv'),
    [`${SRC}/objects/Inv__c/fields/A__c.field-meta.xml`]: FIELD('A__c', 'A'),
    [`${SRC}/objects/Inv__c/fields/B__c.field-meta.xml`]: FIELD('B__c', 'B'),
  },
};

const ACCOUNT =
  '<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">\n    <label>Account</label>\n</CustomObject>\n';

/** Gives the emulator's default org the standard Account object, which the parts' Account.Tier__c belongs to. */
export async function seedAccount(emulator: EmulatorHandle): Promise<void> {
  await emulator.admin.seed(emulator.defaultOrg.id, { components: [{ files: { 'objects/Account.object': ACCOUNT } }] });
}

/** A package.xml-format manifest listing members by type. */
export function manifestXml(members: Record<string, string[]>): string {
  const types = Object.entries(members)
    .map(
      ([name, list]) =>
        `    <types>\n${list.map((m) => `        <members>${m}</members>\n`).join('')}        <name>${name}</name>\n    </types>\n`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">\n${types}    <version>60.0</version>\n</Package>\n`;
}

/** A source-format project zip holding the named parts, plus extra files (manifests) or replaced ones. */
export function projectZip(parts: string[], extra: Record<string, string> = {}): Promise<Buffer> {
  const files: Record<string, string> = { 'sfdx-project.json': PROJECT };
  for (const p of parts) Object.assign(files, PARTS[p]);
  Object.assign(files, extra);
  return zipOf(files);
}

/** Every file the org holds, byte for byte: `Type:Name` → path → content (base64). */
export function orgFiles(
  emulator: EmulatorHandle,
  orgId = emulator.defaultOrg.id,
): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const c of emulator.admin.listComponents(orgId)) {
    const files = emulator.admin.getComponent(orgId, c.type, c.fullName)!.files;
    out.set(
      `${c.type}:${c.fullName}`,
      Object.fromEntries(Object.entries(files).map(([p, content]) => [p, Buffer.from(content).toString('base64')])),
    );
  }
  return out;
}
