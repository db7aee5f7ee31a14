import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { BranchesService } from '../branches/branches.service.js';
import { zipFolder } from '../salesforce/folder-zip.js';
import { OrgsService } from '../orgs/orgs.service.js';
import { DEMO_ORG_NAME, SYSTEM } from './demo-org.js';

export const DEMO_BRANCH_NAME = 'demo';

/** A small SFDX project: three Apex classes, a custom object with two fields, an LWC (dist/src/app/ → test/fixtures/). */
const DEMO_PROJECT = fileURLToPath(new URL('../../../test/fixtures/demo-project/', import.meta.url));

/**
 * On the first start of the embedded default — no branch yet and the demo org registered — creates the branch
 * "demo" with the demo project as revision 1, so a newcomer can deploy, change, deploy again and roll back at once.
 * Does nothing afterwards, or where the demo project is not shipped (an image built without test fixtures).
 */
export async function seedDemo(app: INestApplication): Promise<void> {
  const branches = app.get(BranchesService);
  if ((await branches.list()).length > 0 || !(await app.get(OrgsService).findByName(DEMO_ORG_NAME))) return;
  if (!fs.existsSync(DEMO_PROJECT)) return;
  const branch = await branches.create(
    {
      name: DEMO_BRANCH_NAME,
      description: 'Demo project: deploy it to Local Sandbox, change it, deploy again, roll back.',
    },
    SYSTEM,
  );
  await branches.upload(branch.id, await zipFolder(DEMO_PROJECT), SYSTEM);
}
