import { createHash } from 'node:crypto';
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { deployCompleted, demoOrgId, newBranch, upload, zipOf } from '../helpers/deploy-flow.js';
import { closeStarted } from '../helpers/lifecycle.js';

const META =
  '<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>60.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n';
const RES_META =
  '<?xml version="1.0" encoding="UTF-8"?>\n<StaticResource xmlns="http://soap.sforce.com/2006/04/metadata">\n    <cacheControl>Private</cacheControl>\n    <contentType>image/png</contentType>\n</StaticResource>\n';
const cls = (version: string) =>
  `public class Alpha {\n    public static String v() {\n        return '${version}';\n    }\n}\n`;
const PNG_V0 = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3]);
const PNG_V1 = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 9, 9, 9, 9, 9]);
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const PACKAGE = `<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">\n    <types><members>*</members><name>ApexClass</name></types>\n    <types><members>*</members><name>StaticResource</name></types>\n    <version>60.0</version>\n</Package>\n`;

/** A metadata-format package: Alpha (updated), Beta (created), the logo resource (binary, updated). */
function v1Zip(): Promise<Buffer> {
  const files: Record<string, string | Buffer> = {
    'package.xml': PACKAGE,
    'classes/Alpha.cls': cls('v1'),
    'classes/Alpha.cls-meta.xml': META,
    'classes/Beta.cls': 'public class Beta {}\n',
    'classes/Beta.cls-meta.xml': META,
    'staticresources/logo.resource': PNG_V1,
    'staticresources/logo.resource-meta.xml': RES_META,
  };
  return zipOf(files);
}

describe('What a rollback will restore: the component diff', () => {
  let h: Harness;
  let orgId: string;
  let branchId: string;
  let deployId: string;
  const diff = (type: string, name: string, query = '') =>
    h.api('GET', `/api/jobs/${deployId}/components/${type}/${encodeURIComponent(name)}/diff${query}`);
  const seed = (files: Record<string, string | Buffer>) =>
    h.backtrack.emulator!.admin.seed(h.backtrack.emulator!.defaultOrg.id, { components: [{ files }] });
  const deploy = () => deployCompleted(h, branchId, orgId);

  beforeAll(async () => {
    h = await startHarness();
    await seed({ 'classes/Alpha.cls': cls('v0'), 'classes/Alpha.cls-meta.xml': META });
    await seed({ 'staticresources/logo.resource': PNG_V0, 'staticresources/logo.resource-meta.xml': RES_META });
    orgId = await demoOrgId(h);
    branchId = await newBranch(h, 'diffs');
    await upload(h, branchId, await v1Zip());
    deployId = await deploy();
  });
  afterAll(() => closeStarted(h));

  it('shows a unified diff of each text file, snapshot → what the deploy left', async () => {
    const res = await diff('ApexClass', 'Alpha');
    expect(res.status).toBe(200);
    expect(res.body.deployAction).toBe('update');
    expect(res.body.rollbackAction).toBe('restore');
    const byName = Object.fromEntries(res.body.files.map((f: any) => [f.name, f]));
    expect(Object.keys(byName).sort()).toEqual(['Alpha.cls', 'Alpha.cls-meta.xml']);
    expect(byName['Alpha.cls'].changedByDeploy).toBe(true);
    expect(byName['Alpha.cls'].diff).toContain("-        return 'v0';\n+        return 'v1';\n");
    expect(byName['Alpha.cls'].diff).toMatch(
      /^--- snapshot\/Alpha\.cls\n\+\+\+ deployed\/Alpha\.cls\n@@ -1,5 \+1,5 @@\n/,
    );
    expect(byName['Alpha.cls-meta.xml'].changedByDeploy).toBe(false);
    expect(byName['Alpha.cls-meta.xml'].diff).toBe('');
    expect(res.body.live).toBeUndefined();
  });

  it('gives binary files sizes and checksums instead of a diff', async () => {
    const res = await diff('StaticResource', 'logo');
    expect(res.status).toBe(200);
    const file = res.body.files.find((f: any) => f.binary);
    expect(file).toBeDefined();
    expect(file.diff).toBeUndefined();
    expect(file.snapshot).toMatchObject({ size: PNG_V0.length, sha256: sha(PNG_V0) });
    expect(file.deployed).toMatchObject({ size: PNG_V1.length, sha256: sha(PNG_V1) });
    expect(file.changedByDeploy).toBe(true);
  });

  it('shows a created component as all additions, with nothing in the snapshot', async () => {
    const res = await diff('ApexClass', 'Beta');
    expect(res.body.existedBefore).toBe(false);
    expect(res.body.rollbackAction).toBe('delete');
    const file = res.body.files.find((f: any) => f.name === 'Beta.cls');
    expect(file.snapshot).toBeNull();
    expect(file.diff).toBe('--- /dev/null\n+++ deployed/Beta.cls\n@@ -0,0 +1,1 @@\n+public class Beta {}\n');
  });

  it('with ?live=true adds the org content now and marks drift', async () => {
    const clean = await diff('ApexClass', 'Alpha', '?live=true');
    expect(clean.status).toBe(200);
    expect(clean.body.drift).toBe(false);
    expect(clean.body.files.find((f: any) => f.name === 'Alpha.cls').live.sha256).toBe(sha(cls('v1')));

    await seed({ 'classes/Alpha.cls': cls('hotfix'), 'classes/Alpha.cls-meta.xml': META });
    const drifted = await diff('ApexClass', 'Alpha', '?live=true');
    expect(drifted.body.drift).toBe(true);
    const file = drifted.body.files.find((f: any) => f.name === 'Alpha.cls');
    expect(file.drift).toBe(true);
    expect(file.driftDiff).toContain("-        return 'v1';\n+        return 'hotfix';\n");
    await seed({ 'classes/Alpha.cls': cls('v1'), 'classes/Alpha.cls-meta.xml': META });
  });

  it('answers 404 for a component the deploy did not touch, 400 for a bad type, name or query', async () => {
    const unknown = await diff('ApexClass', 'NotThere');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/is not a component of deploy/);
    const badType = await diff('Apex-Class', 'Alpha');
    expect(badType.status).toBe(400);
    expect(badType.body.message).toMatch(/not a metadata type name/);
    const badName = await diff('ApexClass', 'Al\u0001pha');
    expect(badName.status).toBe(400);
    expect(badName.body.message).toMatch(/control characters/);
    const badQuery = await diff('ApexClass', 'Alpha', '?live=maybe');
    expect(badQuery.status).toBe(400);
  });

  it('a deploy that changed nothing is not rollbackable, saying so', async () => {
    const again = await deploy();
    const components = (await h.api('GET', `/api/jobs/${again}/components`)).body.items;
    expect(components.every((c: any) => c.action === 'unchanged')).toBe(true);
    const plan = await h.api('GET', `/api/jobs/${again}/rollback`);
    expect(plan.body.rollbackable).toBe(false);
    expect(plan.body.reason).toMatch(/changed nothing/);
    const start = await h.api('POST', `/api/jobs/${again}/rollback`, { body: { all: true } });
    expect(start.status).toBe(409);
    expect(start.body.message).toMatch(/changed nothing/);
  });
});
