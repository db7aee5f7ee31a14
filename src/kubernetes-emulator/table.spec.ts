import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from './object-store.js';
import { CONFIG_MAPS, DEPLOYMENTS } from './resource-types.js';
import { humanDuration, tableOf, wantsTable } from './table.js';

describe('humanDuration', () => {
  it('writes ages the way kubectl shows them', () => {
    const s = 1000;
    expect(humanDuration(-5 * s)).toBe('<invalid>');
    expect(humanDuration(45 * s)).toBe('45s');
    expect(humanDuration(119 * s)).toBe('119s');
    expect(humanDuration(192 * s)).toBe('3m12s');
    expect(humanDuration(300 * s)).toBe('5m');
    expect(humanDuration(17 * 60 * s)).toBe('17m');
    expect(humanDuration(5 * 3600 * s + 180 * s)).toBe('5h3m');
    expect(humanDuration(30 * 3600 * s)).toBe('30h');
    expect(humanDuration(76 * 3600 * s)).toBe('3d4h');
    expect(humanDuration(400 * 86400 * s)).toBe('400d');
    expect(humanDuration(740 * 86400 * s)).toBe('2y10d');
  });
});

describe('tables', () => {
  const deployment: KubeObject = {
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'u',
      resourceVersion: '7',
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: { spec: { containers: [{ name: 'app', image: 'web:1' }] } },
    },
    status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  };

  it('recognises the Accept header kubectl get sends', () => {
    expect(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json')).toBe(true);
    expect(wantsTable('application/json')).toBe(false);
    expect(wantsTable(undefined)).toBe(false);
  });

  it('prints a Deployment with the columns of the API server, wide ones at priority 1', () => {
    const table: any = tableOf(DEPLOYMENTS, [deployment], new Date('2026-01-01T00:05:00Z'), '9', null);
    expect(table.columnDefinitions.map((c: any) => `${c.name}:${c.priority}`)).toEqual([
      'Name:0',
      'Ready:0',
      'Up-to-date:0',
      'Available:0',
      'Age:0',
      'Containers:1',
      'Images:1',
      'Selector:1',
    ]);
    expect(table.rows[0].cells).toEqual(['web', '2/3', 3, 2, '5m', 'app', 'web:1', 'app=web']);
    expect(table.rows[0].object).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: deployment.metadata,
    });
    expect(tableOf(DEPLOYMENTS, [deployment], new Date(), '9', 'None').rows).toEqual([{ cells: expect.any(Array) }]);
  });

  it('prints kinds without their own columns as name, data count and age', () => {
    const configMap: KubeObject = { ...deployment, data: { a: '1', b: '2' } };
    const table: any = tableOf(CONFIG_MAPS, [configMap], new Date('2026-01-01T00:00:30Z'), '9', 'Object');
    expect(table.rows[0].cells).toEqual(['web', 2, '30s']);
    expect(table.rows[0].object).toBe(configMap);
  });
});
