import crypto from 'node:crypto';
import { describe, it, expect } from '@jest/globals';
import { ConflictError } from '../../src/common/errors.js';
import { claimComponents } from '../../src/rollbacks/component-claims.js';
import { useEmbeddedDatabase } from '../helpers/embedded-database.js';

/** A deploy's components are claimed by one rollback at a time, in the transaction that creates the rollback job. */
describe('rollback claims on the embedded database', () => {
  const database = useEmbeddedDatabase();
  const ref = (fullName: string) => ({ type: 'ApexClass', fullName });
  const claimsOf = async (deployJobId: string) => {
    const rows: { full_name: string; rollback_job_id: string }[] = await database().query(
      `SELECT full_name, rollback_job_id FROM rollback_claims WHERE deploy_job_id = $1 ORDER BY full_name`,
      [deployJobId],
    );
    return rows.map((r) => [r.full_name, r.rollback_job_id]);
  };

  it('refuses a rollback that overlaps claims taken a moment before with a 409, and keeps none of its claims', async () => {
    const deploy = crypto.randomUUID();
    const [first, second, third] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await database().transaction((m) => claimComponents(m, deploy, first, [ref('Alpha'), ref('Beta')]));

    const overlapping = database().transaction((m) => claimComponents(m, deploy, second, [ref('Gamma'), ref('Beta')]));
    await expect(overlapping).rejects.toThrow(ConflictError);
    await expect(overlapping).rejects.toThrow(/Another rollback of this deploy took some of these components/);

    // the refused one's Gamma went with its transaction; a rollback of other components goes through
    await database().transaction((m) => claimComponents(m, deploy, third, [ref('Gamma')]));
    expect(await claimsOf(deploy)).toEqual([
      ['Alpha', first],
      ['Beta', first],
      ['Gamma', third],
    ]);
  });

  it('claims the same names of another deploy independently', async () => {
    const [one, other, job] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await database().transaction((m) => claimComponents(m, one, job, [ref('Alpha')]));
    await database().transaction((m) => claimComponents(m, other, job, [ref('Alpha')]));
    expect(await claimsOf(other)).toEqual([['Alpha', job]]);
  });
});
