import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_TOKEN, startHarness, waitForJob, type Harness } from '../helpers/backtrack.harness.js';
import { manifestXml, PARTS, projectZip, seedAccount, SRC } from '../helpers/destructive-project.js';
import { deployCompleted, demoOrgId, newBranch, upload } from '../helpers/deploy-flow.js';
import { closeStarted } from '../helpers/lifecycle.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const KEEP_V2 = 'public class Keep {\n    public static Integer n() { return 2; }\n}\n';

describe('deploys that delete and the rollback diff, in the browser and the CLI', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let branchId: string;
  let orgId: string;
  const pageErrors: string[] = [];
  const jobs = async () => (await h.api('GET', `/api/branches/${branchId}/activities?limit=100`)).body.items;
  const cli = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const env = { ...process.env, BACKTRACK_URL: h.url, BACKTRACK_TOKEN: ADMIN_TOKEN };
      execFile(process.execPath, [CLI, ...args], { env }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    h = await startHarness();
    await seedAccount(h.backtrack.emulator!);
    orgId = await demoOrgId(h);
    branchId = await newBranch(h, 'releases');
    await upload(h, branchId, await projectZip(['ApexClass:Keep', 'ApexClass:Doomed', 'CustomField:Account.Tier__c']));
    await deployCompleted(h, branchId, orgId);
    const v2 = await projectZip(['ApexClass:Keep'], {
      [`${SRC}/classes/Keep.cls`]: KEEP_V2,
      'manifest/destructiveChangesPost.xml': manifestXml({ ApexClass: ['Doomed'], CustomField: ['Account.Tier__c'] }),
    });
    await upload(h, branchId, v2);
  });
  afterAll(async () => {
    await closeStarted(browser, h);
  });

  it('backtrack deploy --dry-run prints the deletions first and queues nothing', async () => {
    const before = (await jobs()).length;
    const run = await cli('deploy', '--branch', 'releases', '--org', 'Local Sandbox', '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Dry run of revision #2: nothing was queued.');
    expect(run.stdout).toContain('  - ApexClass:Doomed  (delete, destructiveChangesPost.xml, after the additions)');
    expect(run.stdout).toContain(
      '  - CustomField:Account.Tier__c  (delete, destructiveChangesPost.xml, after the additions)',
    );
    expect(run.stdout).toContain('  ~ ApexClass:Keep');
    expect((await jobs()).length).toBe(before);
    const both = await cli('deploy', '--branch', 'releases', '--org', 'Local Sandbox', '--dry-run', '--wait');
    expect(both.code).toBe(2);
  });

  it('the deploy form previews the plan, deletions included, before Deploy', async () => {
    // the browser starts here, so that the CLI test above runs on a machine without Chromium too
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(h.url);
    await page.getByLabel('API token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Branches' }).waitFor();
    await page.goto(`${h.url}/#/branches/${branchId}/activities`);
    await page.getByTestId('deploy-form').getByLabel('Org').selectOption({ label: 'Local Sandbox (sandbox)' });
    await page.getByTestId('preview-deploy').click();
    const deletions = page.getByTestId('plan-delete');
    await deletions.getByText('ApexClass Doomed').waitFor();
    await deletions.getByText('CustomField Account.Tier__c').waitFor();
    await page
      .getByTestId('deploy-plan')
      .getByText(/deletes 2 component\(s\).*cannot come back/)
      .waitFor();
    await page.getByTestId('plan-update').getByText('ApexClass Keep').waitFor();
    expect((await jobs()).length).toBe(1);
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.locator('[data-testid=activity][data-kind=Deploy]').nth(1).waitFor();
    const started = (await jobs())[0];
    expect(started.options.deletions.map((d: any) => d.fullName)).toEqual(['Doomed', 'Account.Tier__c']);
    expect((await waitForJob(h, started.id)).status).toBe('Completed');
  });

  it('the rollback page opens a three-way diff per row, with drift marked', async () => {
    const deployId = (await jobs())[0].id;
    await page.goto(`${h.url}/#/jobs/${deployId}/rollback`);
    await page.getByTestId('rollback-candidates').locator('tr', { hasText: 'Doomed' }).getByText('recreate').waitFor();
    await page.getByRole('button', { name: 'Diff of ApexClass Keep' }).click();
    const panel = page.getByTestId('component-diff');
    await panel.getByTestId('no-drift').waitFor();
    await panel.getByTestId('diff').locator('.diff-del', { hasText: 'return 1;' }).waitFor();
    await panel.getByTestId('diff').locator('.diff-add', { hasText: 'return 2;' }).waitFor();

    const emulator = h.backtrack.emulator!;
    await emulator.admin.seed(emulator.defaultOrg.id, {
      components: [
        {
          files: {
            'classes/Keep.cls': 'public class Keep {\n    public static Integer n() { return 3; }\n}\n',
            'classes/Keep.cls-meta.xml': PARTS['ApexClass:Keep']![`${SRC}/classes/Keep.cls-meta.xml`]!,
          },
        },
      ],
    });
    await page.getByTestId('close-diff').click();
    await page.getByRole('button', { name: 'Diff of ApexClass Keep' }).click();
    await panel.getByTestId('drift-marker').waitFor();
    await panel.locator('tr[data-file="Keep.cls"][data-drift="true"]').waitFor();
    await panel.getByTestId('drift-diff').locator('.diff-add', { hasText: 'return 3;' }).waitFor();
  });

  it('says before Run that recreating a field does not bring its data back', async () => {
    const warning = page.getByTestId('data-warning');
    expect(await warning.isHidden()).toBe(true);
    await page.getByRole('button', { name: 'Add ApexClass Doomed' }).click();
    expect(await warning.isHidden()).toBe(true);
    await page.getByRole('button', { name: 'Add CustomField Account.Tier__c' }).click();
    await warning.getByText(/Recreating CustomField:Account\.Tier__c .* cannot come back/).waitFor();
  });

  it('shows no Rollback button for a deploy that changed nothing, and the reason instead', async () => {
    await deployCompleted(h, branchId, orgId);
    const unchanged = await deployCompleted(h, branchId, orgId);
    await page.goto(`${h.url}/#/jobs/${unchanged}`);
    await page
      .getByTestId('not-rollbackable')
      .getByText(/changed nothing/)
      .waitFor();
    expect(await page.getByTestId('rollback-button').count()).toBe(0);
    await page.goto(`${h.url}/#/jobs/${unchanged}/rollback`);
    await page
      .getByTestId('empty')
      .getByText(/changed nothing/)
      .waitFor();
    expect(await page.getByText('Every changed component is selected.').count()).toBe(0);
    expect(await page.getByText('Nothing selected yet').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
