import { describe, expect, it } from '@jest/globals';
import { parseApiPath } from './request-path.js';

describe('parseApiPath', () => {
  it('reads discovery, version, health and OpenAPI paths', () => {
    expect(parseApiPath('/api')).toEqual({ kind: 'legacy-versions' });
    expect(parseApiPath('/apis/')).toEqual({ kind: 'groups' });
    expect(parseApiPath('/apis/apps')).toEqual({ kind: 'group', group: 'apps' });
    expect(parseApiPath('/api/v1')).toEqual({ kind: 'resource-list', group: '', version: 'v1' });
    expect(parseApiPath('/apis/apps/v1')).toEqual({ kind: 'resource-list', group: 'apps', version: 'v1' });
    expect(parseApiPath('/version')).toEqual({ kind: 'version' });
    expect(parseApiPath('/readyz')).toEqual({ kind: 'health' });
    expect(parseApiPath('/openapi/v3/apis/apps/v1')).toEqual({ kind: 'openapi', rest: '/v3/apis/apps/v1' });
  });

  it('reads namespaced, cluster-wide and subresource paths', () => {
    const base = { kind: 'resource', group: 'apps', version: 'v1' };
    expect(parseApiPath('/apis/apps/v1/namespaces/prod/deployments/web/scale')).toEqual({
      ...base,
      namespace: 'prod',
      resource: 'deployments',
      name: 'web',
      subresource: 'scale',
    });
    expect(parseApiPath('/apis/apps/v1/deployments')).toEqual({ ...base, resource: 'deployments' });
    expect(parseApiPath('/api/v1/namespaces/prod')).toMatchObject({ resource: 'namespaces', name: 'prod' });
    expect(parseApiPath('/api/v1/namespaces/prod/status')).toMatchObject({
      resource: 'namespaces',
      name: 'prod',
      subresource: 'status',
    });
    expect(parseApiPath('/api/v1/namespaces/prod/configmaps')).toMatchObject({
      namespace: 'prod',
      resource: 'configmaps',
    });
    expect(parseApiPath('/api/v1/namespaces/prod/secrets/sh.helm.release.v1.a.v1')).toMatchObject({
      name: 'sh.helm.release.v1.a.v1',
    });
  });

  it('serves nothing elsewhere', () => {
    expect(parseApiPath('/')).toBeUndefined();
    expect(parseApiPath('/metrics')).toBeUndefined();
    expect(parseApiPath('/api/v1/namespaces/a/pods/b/log/extra')).toBeUndefined();
    expect(parseApiPath('/api/v1//pods')).toBeUndefined();
    expect(parseApiPath('/api/v1/pods/%E0%A4%A')).toBeUndefined();
  });
});
