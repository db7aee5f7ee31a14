import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { DataSource } from 'typeorm';
import { whereMembers } from '../../src/branches/member-filter.js';
import { plainRows } from '../../src/database/plain-rows.js';
import { Blob } from '../../src/blobs/blob.entity.js';
import { RevisionComponent } from '../../src/branches/revision-component.entity.js';
import { SnapshotComponent } from '../../src/snapshots/snapshot-component.entity.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { deployCompleted } from '../helpers/deploy-flow.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { registerEmulatorOrg, sampleBranch } from '../helpers/scoped-access.js';

// plainRows reads rows without TypeORM's entity transformer: differential against getMany on real stored rows.
describe('plainRows gives what getMany gives, as plain objects', () => {
  let h: Harness;
  let db: DataSource;
  beforeAll(async () => {
    h = await startHarness();
    db = h.backtrack.app.get(DataSource);
    await deployCompleted(h, await sampleBranch(h, 'plain-rows'), await registerEmulatorOrg(h, 'Plain UAT', 'uat'));
  });
  afterAll(() => closeStarted(h));

  it.each([
    ['revision components', RevisionComponent, 'rc'],
    ['snapshot components (files, fingerprints, details, nulls)', SnapshotComponent, 'sc'],
  ] as const)('%s', async (_, entity, alias) => {
    const query = () =>
      db
        .getRepository<RevisionComponent | SnapshotComponent>(entity)
        .createQueryBuilder(alias)
        .orderBy(`${alias}.type`, 'ASC')
        .addOrderBy(`${alias}.full_name`, 'ASC')
        .addOrderBy(`${alias}.id`, 'ASC');
    const entities = await query().getMany();
    expect(entities.length).toBeGreaterThan(5);
    // the same values, property for property (toEqual ignores the entities' class)
    expect(await plainRows(query())).toEqual(entities);
    // narrowed by members as the services narrow them
    const some = entities.slice(0, 3).map((e) => ({ type: e.type, fullName: e.fullName.toUpperCase() }));
    const narrowed = await plainRows(whereMembers(query(), alias, some));
    expect(narrowed).toEqual(await whereMembers(query(), alias, some).getMany());
    expect(narrowed.length).toBeGreaterThanOrEqual(3);
  });

  it('refuses an entity whose columns TypeORM must convert (a transformer), before reading anything', async () => {
    await expect(plainRows(db.getRepository(Blob).createQueryBuilder('b'))).rejects.toThrow('use getMany');
  });
});
