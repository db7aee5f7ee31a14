import { describe, expect, it } from '@jest/globals';
import {
  chartArtifact,
  deployDescription,
  deployedRevision,
  deploymentsOf,
  latestRevision,
  parseDeployDescription,
  parseHistory,
} from './helm-history.js';

const HISTORY = JSON.stringify([
  { revision: 2, status: 'deployed', chart: 'shop-0.2.0', app_version: '2.0', description: 'Upgrade complete' },
  { revision: 1, status: 'superseded', chart: 'shop-0.1.0', app_version: '1.0', description: 'Install complete' },
  { revision: 3, status: 'failed', chart: 'shop-0.3.0', app_version: '', description: 'Upgrade "shop" failed: x' },
]);

describe('helm history', () => {
  it('reads `helm history -o json` oldest first', () => {
    const history = parseHistory(HISTORY);
    expect(history.map((r) => [r.revision, r.status, r.chart, r.appVersion])).toEqual([
      [1, 'superseded', 'shop-0.1.0', '1.0'],
      [2, 'deployed', 'shop-0.2.0', '2.0'],
      [3, 'failed', 'shop-0.3.0', ''],
    ]);
    expect(latestRevision(history)?.revision).toBe(3);
    expect(deployedRevision(history)?.revision).toBe(2);
    expect(parseHistory('')).toEqual([]);
    expect(latestRevision([])).toBeNull();
    expect(deployedRevision([])).toBeNull();
  });

  it('marks Backtrack’s own upgrades and reads the mark back (within Helm’s 256 characters)', () => {
    const marker = {
      jobId: '6f1c2b1e-7d44-4f39-9d0e-0a3b7d6c9e11',
      stageId: '0b9f4a7e-2c1d-4e5f-8a9b-1c2d3e4f5a6b',
      contentKey: '0123456789abcdef',
    };
    const description = deployDescription(marker);
    expect(description.length).toBeLessThanOrEqual(256);
    expect(parseDeployDescription(description)).toEqual(marker);
    expect(parseDeployDescription('Upgrade complete')).toBeNull();
    expect(parseDeployDescription('Rollback to 1')).toBeNull();
  });

  it('finds the Deployments of a rendered manifest, in the release namespace unless one is named', () => {
    const manifest = [
      '---',
      '# Source: shop/templates/cm.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop-settings',
      '---',
      '# Source: shop/templates/d.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  replicas: 2',
      '---',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\n  namespace: jobs',
      '---',
      '# an empty document',
    ].join('\n');
    expect(deploymentsOf(manifest, 'shop')).toEqual([
      { namespace: 'shop', name: 'shop' },
      { namespace: 'jobs', name: 'worker' },
    ]);
    expect(deploymentsOf('', 'default')).toEqual([]);
  });

  it('names the chart and its app version', () => {
    expect(chartArtifact('shop-0.1.0', '1.0')).toBe('shop-0.1.0 (app 1.0)');
    expect(chartArtifact('shop-0.1.0', '')).toBe('shop-0.1.0');
    expect(chartArtifact(null, '1.0')).toBeNull();
  });
});
