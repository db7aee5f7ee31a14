import { describe, it, expect } from '@jest/globals';
import type { Infrastructure } from './infrastructures/infrastructure.entity.js';
import { presentInfrastructure, presentService } from './presentation.js';
import type { Service } from './services/service.entity.js';

const createdAt = new Date('2026-12-01T10:00:00Z');

describe('presentInfrastructure', () => {
  const cluster = {
    id: 'i1',
    name: 'Staging',
    environment: 'uat',
    kind: 'kubernetes',
    connectionCiphertext: 'v1.iv.tag.sealed-bytes',
    orgId: null,
    createdBy: 't1',
    createdAt,
    deletedAt: null,
  } satisfies Infrastructure;

  it('shows where the connection points and never the sealed connection, even when it was selected', () => {
    const shown = presentInfrastructure({
      infrastructure: cluster,
      connection: { type: 'token', server: 'https://k8s.test' },
    });
    expect(shown).toEqual({
      id: 'i1',
      name: 'Staging',
      environment: 'uat',
      kind: 'kubernetes',
      orgId: null,
      connection: { type: 'token', server: 'https://k8s.test' },
      createdAt,
    });
    expect(JSON.stringify(shown)).not.toContain('sealed-bytes');
  });

  it('shows an org infrastructure with its org and no connection', () => {
    const org = { ...cluster, kind: 'salesforce' as const, connectionCiphertext: null, orgId: 'o1' };
    expect(presentInfrastructure({ infrastructure: org, connection: null })).toMatchObject({
      kind: 'salesforce',
      orgId: 'o1',
      connection: null,
    });
  });
});

describe('presentService', () => {
  it('shows the name, description and creation time, not who deleted it when', () => {
    const service = {
      id: 's1',
      name: 'Billing',
      description: null,
      createdBy: 't1',
      createdAt,
      deletedAt: null,
    } satisfies Service;
    expect(presentService(service)).toEqual({ id: 's1', name: 'Billing', description: null, createdAt });
  });
});
