import { describe, it, expect } from '@jest/globals';
import type { Org } from './org-registry.js';
import { ComponentStore } from './component-store.js';
import { answerQuery, parseSimpleQuery } from './soql-answer.js';

const org: Org = {
  id: '00D000000000001AAA',
  name: 'Emulator Org',
  user: { id: '005000000000001AAA', username: 'admin@backtrack.local', password: 'x', displayName: 'Admin User' },
  createdDate: '2026-01-01T00:00:00.000Z',
  accessToken: 't',
  components: new ComponentStore(),
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

  it('parses the object and the WHERE clause', () => {
    expect(parseSimpleQuery("SELECT Id FROM User WHERE Id = '1' LIMIT 1")).toMatchObject({
      object: 'User',
      fields: ['Id'],
      where: "Id = '1'",
    });
    expect(parseSimpleQuery('DELETE x')).toBeUndefined();
  });
});
