import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import {
  deployCompleted,
  demoOrgId,
  differingFiles,
  jobStory,
  newBranch,
  orgFiles,
  projectZip,
  rollbackAndWait,
  upload,
} from '../helpers/deploy-flow.js';
import { closeStarted } from '../helpers/lifecycle.js';

const SRC = 'force-app/main/default';
const META = `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>60.0</apiVersion>
    <status>Active</status>
</ApexClass>
`;
const invoiceService = (rate: string) => `public with sharing class InvoiceService {
    public static Decimal taxRate() {
        return ${rate};
    }
}
`;
const classFiles = (name: string, body: string) => ({
  [`${SRC}/classes/${name}.cls`]: body,
  [`${SRC}/classes/${name}.cls-meta.xml`]: META,
});

describe('Rollback order and overlap', () => {
  let h: Harness;
  let orgId: string;
  const emulator = () => h.backtrack.emulator!;
  const org = () => emulator().defaultOrg.id;

  beforeAll(async () => {
    h = await startHarness();
    orgId = await demoOrgId(h);
  });
  afterAll(() => closeStarted(h));

  describe('a component a later deploy changed', () => {
    let branchId: string;
    let beforeD: Map<string, Buffer>;
    let d: string;
    let dPrime: string;

    beforeAll(async () => {
      emulator().admin.seed(org(), {
        components: [
          {
            files: {
              'classes/InvoiceService.cls': invoiceService('0.19'),
              'classes/InvoiceService.cls-meta.xml': META,
            },
          },
        ],
      });
      beforeD = orgFiles(emulator());
      branchId = await newBranch(h, 'overlap');
      await upload(h, branchId, await projectZip(classFiles('InvoiceService', invoiceService('0.20'))));
      d = await deployCompleted(h, branchId, orgId);
      await upload(h, branchId, await projectZip(classFiles('InvoiceService', invoiceService('0.21'))));
      dPrime = await deployCompleted(h, branchId, orgId);
    });

    it('offers the component with changedLaterBy naming the later deploy', async () => {
      const res = await h.api('GET', `/api/jobs/${d}/rollback`);
      expect(res.status).toBe(200);
      const item = res.body.items.find((c: any) => c.fullName === 'InvoiceService');
      expect(item.changedLaterBy).toEqual({
        jobId: dPrime,
        at: expect.any(String),
        by: expect.any(String),
        link: `/#/jobs/${dPrime}`,
      });
      const later = (await h.api('GET', `/api/jobs/${dPrime}/rollback`)).body.items[0];
      expect(later.changedLaterBy).toBeNull();
    });

    it('refuses the rollback of the earlier deploy before queuing it, naming the later deploy (409)', async () => {
      const deploysBefore = emulator().admin.deploys(org()).count;
      const activitiesBefore = (await h.api('GET', `/api/branches/${branchId}/activities`)).body.items.length;

      const res = await h.api('POST', `/api/jobs/${d}/rollback`, { body: { all: true } });
      expect(res.status).toBe(409);
      expect(res.body.message).toContain(`ApexClass:InvoiceService was changed by the later Deploy ${dPrime} on `);
      expect(res.body.message).toContain(`roll back that deploy first (POST /api/jobs/${dPrime}/rollback)`);
      expect(res.body.message).toContain('or send force: true to overwrite its change');
      expect(res.body.laterDeploys).toEqual([
        expect.objectContaining({ jobId: dPrime, components: [{ type: 'ApexClass', fullName: 'InvoiceService' }] }),
      ]);
      const picked = await h.api('POST', `/api/jobs/${d}/rollback`, {
        body: { components: [{ type: 'ApexClass', fullName: 'invoiceservice' }] },
      });
      expect(picked.status).toBe(409);
      expect(picked.body.message).toContain(dPrime);

      expect((await h.api('GET', `/api/branches/${branchId}/activities`)).body.items.length).toBe(activitiesBefore);
      expect(emulator().admin.deploys(org()).count).toBe(deploysBefore);
    });

    it('rolls back the later deploy first, then the earlier one: the class is as before both, byte for byte', async () => {
      const first = await rollbackAndWait(h, dPrime, { all: true });
      expect(await jobStory(h, first.id)).toMatch(/^Completed/);
      expect((await h.api('GET', `/api/jobs/${d}/rollback`)).body.items[0].changedLaterBy).toBeNull();

      const second = await rollbackAndWait(h, d, { all: true });
      expect(await jobStory(h, second.id)).toMatch(/^Completed/);
      expect(differingFiles(beforeD, orgFiles(emulator()))).toEqual([]);
    });
  });

  it('POST /api/branches/:id/rollback refuses the last deploy of a branch when another branch deployed over it', async () => {
    const ledger = (v: string) => classFiles('Ledger', invoiceService(v).replace('InvoiceService', 'Ledger'));
    const mine = await newBranch(h, 'overlap-mine');
    const theirs = await newBranch(h, 'overlap-theirs');
    await upload(h, mine, await projectZip(ledger('1')));
    await deployCompleted(h, mine, orgId);
    await upload(h, theirs, await projectZip(ledger('2')));
    const over = await deployCompleted(h, theirs, orgId);

    const res = await h.api('POST', `/api/branches/${mine}/rollback`, { body: { orgId, all: true } });
    expect(res.status).toBe(409);
    expect(res.body.message).toContain('The last deploy of branch "overlap-mine"');
    expect(res.body.message).toContain(`ApexClass:Ledger was changed by the later Deploy ${over} on `);
    expect(res.body.laterDeploys[0].jobId).toBe(over);
  });

  it('the drift check of a forced rollback names the later deploy; a drift no deploy explains keeps the generic sentence', async () => {
    emulator().admin.seed(org(), {
      components: [
        {
          files: {
            'classes/TaxTable.cls': invoiceService('1').replace('InvoiceService', 'TaxTable'),
            'classes/TaxTable.cls-meta.xml': META,
          },
        },
        {
          files: {
            'classes/TaxZone.cls': invoiceService('1').replace('InvoiceService', 'TaxZone'),
            'classes/TaxZone.cls-meta.xml': META,
          },
        },
      ],
    });
    const before = orgFiles(emulator());
    const branchId = await newBranch(h, 'overlap-force');
    const both = (v: string) => ({
      ...classFiles('TaxTable', invoiceService(v).replace('InvoiceService', 'TaxTable')),
      ...classFiles('TaxZone', invoiceService(v).replace('InvoiceService', 'TaxZone')),
    });
    await upload(h, branchId, await projectZip(both('2')));
    const d = await deployCompleted(h, branchId, orgId);
    await upload(
      h,
      branchId,
      await projectZip(classFiles('TaxTable', invoiceService('3').replace('InvoiceService', 'TaxTable'))),
    );
    const dPrime = await deployCompleted(h, branchId, orgId);
    // someone edits TaxZone in the org, outside Backtrack
    emulator().admin.seed(org(), {
      components: [
        {
          files: {
            'classes/TaxZone.cls': invoiceService('9').replace('InvoiceService', 'TaxZone'),
            'classes/TaxZone.cls-meta.xml': META,
          },
        },
      ],
    });

    const forced = await rollbackAndWait(h, d, { all: true, force: true });
    expect(await jobStory(h, forced.id)).toMatch(/^Completed/);
    const logs = (await h.api('GET', `/api/jobs/${forced.id}/logs`)).body.items as any[];
    const warned = (name: string) =>
      logs.filter((l) => l.level === 'warn' && l.component === `ApexClass:${name}`).map((l) => l.message);
    expect(warned('TaxTable')).toEqual([expect.stringContaining(`Drift: changed by the later Deploy ${dPrime} on `)]);
    expect(warned('TaxZone')).toEqual(['Drift: the component was changed in the org after the deploy.']);
    expect(differingFiles(before, orgFiles(emulator()))).toEqual([]);
  });
});
