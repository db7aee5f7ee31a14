import { describe, it, expect } from '@jest/globals';
import type { Org } from './org-registry.js';
import { ComponentStore } from './component-store.js';
import type { DeployJob } from './deploy-service.js';
import { DeletedFields } from './irreversible.js';
import { answerQuery, parseSimpleQuery } from './soql-answer.js';

const org: Org = {
  id: '00D000000000001AAA',
  name: 'Emulator Org',
  user: { id: '005000000000001AAA', username: 'admin@backtrack.local', password: 'x', displayName: 'Admin User' },
  createdDate: '2026-01-01T00:00:00.000Z',
  accessToken: 't',
  components: new ComponentStore(),
  deletedFields: new DeletedFields(),
};
const options = { version: '66.0', tooling: false };

describe('answerQuery', () => {
  it('answers the Organization query every CLI deploy runs with the fields asked for', () => {
    const soql =
      'SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization';
    const answer = answerQuery(org, soql, options);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      totalSize: 1,
      done: true,
      records: [
        {
          Name: 'Emulator Org',
          IsSandbox: true,
          TrialExpirationDate: null,
          NamespacePrefix: null,
          OrganizationType: 'Developer Edition',
        },
      ],
    });
  });

  it('finds the user by username, case-insensitively, and nobody for another username', () => {
    const found = answerQuery(org, "SELECT Id, Username FROM User WHERE Username = 'ADMIN@backtrack.local'", options);
    expect(found.body).toMatchObject({ totalSize: 1, records: [{ Id: org.user.id, Username: org.user.username }] });
    const none = answerQuery(org, "SELECT Id FROM User WHERE Username = 'someone@else'", options);
    expect(none.body).toMatchObject({ totalSize: 0, records: [] });
  });

  it('refuses ScratchOrgInfo with 400 INVALID_TYPE, as an org that is not a Dev Hub does', () => {
    const answer = answerQuery(org, 'SELECT Id FROM ScratchOrgInfo', options);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual([expect.objectContaining({ errorCode: 'INVALID_TYPE' })]);
    expect(JSON.stringify(answer.body)).toContain("sObject type 'ScratchOrgInfo' is not supported");
  });

  const deployJob = (id: string, createdDate: string, status: DeployJob['status'], checkOnly = false): DeployJob => ({
    id,
    orgId: org.id,
    options: {
      checkOnly,
      rollbackOnError: true,
      ignoreWarnings: false,
      singlePackage: true,
      purgeOnDelete: false,
      runTests: [],
    },
    createdDate,
    createdBy: { date: createdDate, userId: org.user.id, userName: 'Admin User' },
    status,
    lastModifiedDate: createdDate,
    numberComponentsTotal: 3,
  });
  const deploys = [
    deployJob('0Af000000000001AAA', '2026-12-01T10:00:00.000Z', 'Succeeded'),
    deployJob('0Af000000000002AAA', '2026-12-01T11:00:00.000Z', 'SucceededPartial'),
    deployJob('0Af000000000003AAA', '2026-12-01T12:00:00.000Z', 'InProgress', true),
  ];
  const tooling = { version: '66.0', tooling: true, deploys: () => deploys };

  it("answers the Tooling API's DeployRequest query: created since the date, newest first, in the REST shape", () => {
    const soql =
      'SELECT Id, Status, CreatedDate, CompletedDate, CheckOnly, NumberComponentsTotal FROM DeployRequest ' +
      'WHERE CreatedDate >= 2026-12-01T10:30:00Z ORDER BY CreatedDate DESC';
    const answer = answerQuery(org, soql, tooling);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      size: 2,
      totalSize: 2,
      done: true,
      queryLocator: null,
      entityTypeName: 'DeployRequest',
      records: [
        {
          attributes: {
            type: 'DeployRequest',
            url: '/services/data/v66.0/tooling/sobjects/DeployRequest/0Af000000000003AAA',
          },
          Id: '0Af000000000003AAA',
          Status: 'InProgress',
          CreatedDate: '2026-12-01T12:00:00.000+0000',
          CompletedDate: null,
          CheckOnly: true,
          NumberComponentsTotal: 3,
        },
        expect.objectContaining({ Id: '0Af000000000002AAA', Status: 'SucceededPartial', CheckOnly: false }),
      ],
    });
  });

  it('orders DeployRequest ascending and limits when asked; lists every deploy without WHERE', () => {
    const asc = answerQuery(org, 'SELECT Id FROM DeployRequest ORDER BY CreatedDate ASC LIMIT 2', tooling);
    expect((asc.body as { records: { Id: string }[] }).records.map((r) => r.Id)).toEqual([
      '0Af000000000001AAA',
      '0Af000000000002AAA',
    ]);
  });

  it('refuses DeployRequest conditions it does not understand, and DeployRequest outside the Tooling API', () => {
    const other = answerQuery(org, "SELECT Id FROM DeployRequest WHERE Status = 'Succeeded'", tooling);
    expect(other.status).toBe(400);
    expect(other.body).toEqual([expect.objectContaining({ errorCode: 'MALFORMED_QUERY' })]);
    const order = answerQuery(org, 'SELECT Id FROM DeployRequest ORDER BY Status', tooling);
    expect(order.status).toBe(400);
    const soap = answerQuery(org, 'SELECT Id FROM DeployRequest', { ...tooling, tooling: false });
    expect(soap.body).toEqual([expect.objectContaining({ errorCode: 'INVALID_TYPE' })]);
  });

  it('parses the object and the WHERE clause', () => {
    expect(parseSimpleQuery("SELECT Id FROM User WHERE Id = '1' LIMIT 1")).toMatchObject({
      object: 'User',
      fields: ['Id'],
      where: "Id = '1'",
    });
    expect(parseSimpleQuery('DELETE x')).toBeUndefined();
  });
});
