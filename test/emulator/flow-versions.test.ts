import { describe, it, expect } from '@jest/globals';
import type jsforce from 'jsforce';
import {
  componentMessages,
  deployAndWait,
  deployDeletion,
  emulatorSuite,
  packageXml,
  retrieveAndWait,
} from './emulator.helper.js';
import { makeZip } from './zip.helper.js';
import { flowXml } from '../helpers/flow-fixtures.js';

interface FlowDefinitionRow {
  Id: string;
  DeveloperName: string;
  ActiveVersionId: string | null;
  LatestVersionId: string | null;
  ActiveVersion: { VersionNumber: number } | null;
  LatestVersion: { VersionNumber: number } | null;
}

interface FlowRow {
  Id: string;
  VersionNumber: number;
  Status: string;
  Definition: { DeveloperName: string };
}

const deployFlow = async (conn: jsforce.Connection, label: string, status: 'Active' | 'Draft' = 'Active') =>
  deployAndWait(
    conn,
    await makeZip({
      'package.xml': packageXml({ Flow: ['Route_Case'] }),
      'flows/Route_Case.flow': flowXml(label, status),
    }),
  );

async function definition(conn: jsforce.Connection): Promise<FlowDefinitionRow | undefined> {
  const result = await conn.tooling.query<FlowDefinitionRow>(
    'SELECT Id, DeveloperName, ActiveVersionId, LatestVersionId, ActiveVersion.VersionNumber, ' +
      "LatestVersion.VersionNumber FROM FlowDefinition WHERE DeveloperName = 'Route_Case'",
  );
  return result.records[0];
}

async function versions(conn: jsforce.Connection): Promise<FlowRow[]> {
  const result = await conn.tooling.query<FlowRow>(
    "SELECT Id, VersionNumber, Status, Definition.DeveloperName FROM Flow WHERE Definition.DeveloperName = 'Route_Case'",
  );
  return [...result.records].sort((a, b) => a.VersionNumber - b.VersionNumber);
}

async function retrievedLabel(conn: jsforce.Connection): Promise<string> {
  const { files } = await retrieveAndWait(conn, [{ name: 'Flow', members: ['Route_Case'] }]);
  const xml = files.get('flows/Route_Case.flow')?.toString('utf8') ?? '';
  return `${/<label>(.*)<\/label>/.exec(xml)?.[1]} (${/<status>(.*)<\/status>/.exec(xml)?.[1]})`;
}

/** What jsforce throws for a REST error: Salesforce's errorCode and message. */
async function refusal(promise: Promise<unknown>): Promise<{ errorCode?: string; message?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { errorCode?: string; message?: string };
  }
  throw new Error('expected Salesforce to refuse');
}

describe('flow versions and activation through jsforce', () => {
  const { emulator, newOrg } = emulatorSuite({ latencyMs: 10 });

  it('adds a version per deploy, the new one active; the Tooling API lists the definition and its versions', async () => {
    const { conn } = newOrg();
    const first = await deployFlow(conn, 'Route Case');
    expect(componentMessages(first.details?.componentSuccesses)).toEqual([
      expect.objectContaining({ componentType: 'Flow', fullName: 'Route_Case', created: true }),
    ]);
    const second = await deployFlow(conn, 'Route Case v2');
    expect(componentMessages(second.details?.componentSuccesses)).toEqual([
      expect.objectContaining({ componentType: 'Flow', fullName: 'Route_Case', created: false, changed: true }),
    ]);

    const def = await definition(conn);
    expect(def).toMatchObject({ DeveloperName: 'Route_Case', ActiveVersion: { VersionNumber: 2 } });
    expect(def?.LatestVersion?.VersionNumber).toBe(2);
    expect((await versions(conn)).map((v) => `${v.VersionNumber}:${v.Status}`)).toEqual(['1:Obsolete', '2:Active']);
    expect(await retrievedLabel(conn)).toBe('Route Case v2 (Active)');
  });

  it('deploys a flow inactive when the file says Draft, or when the org does not deploy flows as active', async () => {
    const { org, conn } = newOrg();
    await deployFlow(conn, 'Route Case');
    await deployFlow(conn, 'Route Case draft', 'Draft');
    expect((await versions(conn)).map((v) => `${v.VersionNumber}:${v.Status}`)).toEqual(['1:Active', '2:Draft']);

    emulator().admin.flowSettings(org.id, { deployFlowsAsActive: false });
    await deployFlow(conn, 'Route Case v3');
    expect((await versions(conn)).map((v) => `${v.VersionNumber}:${v.Status}`)).toEqual([
      '1:Active',
      '2:Draft',
      '3:Draft',
    ]);
    // a retrieve returns the latest version, with its own status
    expect(await retrievedLabel(conn)).toBe('Route Case v3 (Draft)');
  });

  it('re-activates an earlier version through FlowDefinition Metadata.activeVersionNumber, and deactivates with 0', async () => {
    const { conn } = newOrg();
    await deployFlow(conn, 'Route Case');
    await deployFlow(conn, 'Route Case v2');
    const def = (await definition(conn))!;

    const answer = await conn.tooling
      .sobject('FlowDefinition')
      .update({ Id: def.Id, Metadata: { activeVersionNumber: 1 } });
    expect(answer).toMatchObject({ success: true });
    expect((await versions(conn)).map((v) => `${v.VersionNumber}:${v.Status}`)).toEqual(['1:Active', '2:Obsolete']);
    expect((await definition(conn))?.ActiveVersion?.VersionNumber).toBe(1);
    expect(await retrievedLabel(conn)).toBe('Route Case v2 (Obsolete)');

    await conn.tooling.sobject('FlowDefinition').update({ Id: def.Id, Metadata: { activeVersionNumber: 0 } });
    const after = await definition(conn);
    expect(after?.ActiveVersionId).toBeNull();
    expect(after?.ActiveVersion).toBeNull();
    expect(after?.LatestVersion?.VersionNumber).toBe(2);

    const wrong = await refusal(
      conn.tooling.sobject('FlowDefinition').update({ Id: def.Id, Metadata: { activeVersionNumber: 7 } }),
    );
    expect(wrong.message).toContain('Invalid version number: 7');
  });

  it('deletes an inactive version; refuses the active one and one with paused interviews', async () => {
    const { org, conn } = newOrg();
    await deployFlow(conn, 'Route Case');
    await deployFlow(conn, 'Route Case v2');
    await deployFlow(conn, 'Route Case v3');
    const [v1, v2, v3] = await versions(conn);

    const active = await refusal(conn.tooling.sobject('Flow').destroy(v3!.Id));
    expect(active.errorCode).toBe('DELETE_FAILED');
    expect(active.message).toContain('active flow version');

    emulator().admin.setPausedInterviews(org.id, 'Route_Case', 2, 1);
    const paused = await refusal(conn.tooling.sobject('Flow').destroy(v2!.Id));
    expect(paused.errorCode).toBe('DELETE_FAILED');
    expect(paused.message).toContain('paused interview');

    await conn.tooling.request({ method: 'DELETE', url: `/tooling/sobjects/Flow/${v1!.Id}` });
    expect((await versions(conn)).map((v) => v.VersionNumber)).toEqual([2, 3]);
  });

  it('takes the flow away when its last version is deleted', async () => {
    const { conn } = newOrg();
    await deployFlow(conn, 'Route Case', 'Draft');
    const [only] = await versions(conn);
    await conn.tooling.sobject('Flow').destroy(only!.Id);
    expect(await definition(conn)).toBeUndefined();
    const { result } = await retrieveAndWait(conn, [{ name: 'Flow', members: ['Route_Case'] }]);
    expect(JSON.stringify(result.messages)).toContain("named 'Route_Case' cannot be found");
  });

  it('serves the flow settings, versions and paused interviews over the admin HTTP API', async () => {
    const { org, conn } = newOrg();
    await deployFlow(conn, 'Route Case');
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${emulator().url}/__admin/orgs/${org.id}${path}`, {
        method,
        headers: { 'x-emulator-admin': emulator().adminKey, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    expect(await (await admin('PUT', '/settings/flows', { deployFlowsAsActive: false })).json()).toEqual({
      deployFlowsAsActive: false,
    });
    expect((await admin('PUT', '/settings/flows', { deployFlowsAsActive: 'no' })).status).toBe(400);
    const paused = await admin('PUT', '/flows/Route_Case/versions/1/paused-interviews', { count: 2 });
    expect(await paused.json()).toMatchObject({
      developerName: 'Route_Case',
      activeVersionNumber: 1,
      versions: [expect.objectContaining({ versionNumber: 1, status: 'Active', pausedInterviews: 2 })],
    });
    expect((await admin('GET', '/flows/Not_There')).status).toBe(404);
    expect((await admin('PUT', '/flows/Route_Case/versions/9/paused-interviews', { count: 1 })).status).toBe(404);
  });

  it('refuses to delete a flow through destructive changes, as Salesforce does', async () => {
    const { conn } = newOrg();
    await deployFlow(conn, 'Route Case');
    const result = await deployDeletion(conn, { Flow: ['Route_Case'] });
    expect(result.status).toBe('Failed');
    expect(componentMessages(result.details?.componentFailures)).toEqual([
      expect.objectContaining({
        componentType: 'Flow',
        fullName: 'Route_Case',
        problem: 'insufficient access rights on cross-reference id',
      }),
    ]);
    expect((await definition(conn))?.ActiveVersion?.VersionNumber).toBe(1);
  });
});
