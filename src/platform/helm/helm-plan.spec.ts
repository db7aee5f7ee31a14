import { describe, expect, it } from '@jest/globals';
import { deployDescription } from './helm-history.js';
import { driftSentences, planDeploy, planRollback } from './helm-plan.js';
import type { HelmData, HelmOutputs, HelmRevision } from './helm-records.js';

const marker = { jobId: 'job-1', stageId: 'stage-1', contentKey: 'c0ffee' };
const rev = (revision: number, status: string, description: string): HelmRevision => ({
  revision,
  status,
  chart: `shop-0.${revision}.0`,
  appVersion: '1.0',
  description,
});
const data = (over: Partial<HelmData> = {}): HelmData => ({
  release: 'shop',
  namespace: 'default',
  existed: true,
  latest: 2,
  revision: 2,
  chart: 'shop-0.2.0',
  appVersion: '1.0',
  ...over,
});

describe('planDeploy', () => {
  it('sends when the release does not exist or runs something else', () => {
    expect(planDeploy([], marker, 'shop')).toEqual({ action: 'send' });
    expect(planDeploy([rev(1, 'deployed', 'Install complete')], marker, 'shop')).toEqual({ action: 'send' });
  });

  it('recognises its own revision (a resumed deploy sends nothing)', () => {
    const history = [rev(1, 'superseded', 'Install complete'), rev(2, 'deployed', deployDescription(marker))];
    expect(planDeploy(history, marker, 'shop')).toMatchObject({ action: 'done', revision: { revision: 2 } });
  });

  it('waits while its own revision, or anyone’s latest, is pending', () => {
    expect(planDeploy([rev(1, 'pending-upgrade', deployDescription(marker))], marker, 'shop')).toMatchObject({
      action: 'wait',
      reason: expect.stringContaining('still applying revision 1'),
    });
    expect(
      planDeploy([rev(1, 'deployed', 'x'), rev(2, 'pending-rollback', 'Rollback to 1')], marker, 'shop'),
    ).toMatchObject({
      action: 'wait',
      reason: expect.stringContaining('revision 2 is pending-rollback'),
    });
  });

  it('says its own failed revision as it is', () => {
    expect(planDeploy([rev(1, 'failed', deployDescription(marker))], marker, 'shop')).toEqual({
      action: 'failed',
      reason: `Helm revision 1 of release shop failed: ${deployDescription(marker)}`,
    });
  });

  it('sends nothing when the deployed latest revision holds the same content (a second deploy converges)', () => {
    const other = { ...marker, jobId: 'job-0', stageId: 'stage-0' };
    expect(planDeploy([rev(3, 'deployed', deployDescription(other))], marker, 'shop')).toMatchObject({
      action: 'done',
      reason: expect.stringContaining('same chart and values'),
    });
    expect(
      planDeploy([rev(3, 'deployed', deployDescription({ ...other, contentKey: 'beef' }))], marker, 'shop'),
    ).toEqual({
      action: 'send',
    });
  });
});

describe('planRollback', () => {
  it('uninstalls a release the execution installed, and does nothing once it is gone', () => {
    const first = data({ existed: false, latest: 0, revision: null, chart: null, appVersion: null });
    expect(planRollback([rev(1, 'deployed', 'x')], first)).toEqual({ action: 'uninstall' });
    expect(planRollback([rev(1, 'uninstalling', 'x')], first)).toEqual({ action: 'uninstall' });
    expect(planRollback([], first)).toMatchObject({ action: 'nothing' });
    expect(planRollback([rev(1, 'pending-install', 'x')], first)).toMatchObject({ action: 'wait' });
  });

  it('rolls back to the captured revision when the deploy made a newer one', () => {
    const history = [rev(1, 'superseded', 'a'), rev(2, 'superseded', 'b'), rev(3, 'deployed', 'Backtrack …')];
    expect(planRollback(history, data())).toEqual({ action: 'rollback', to: 2 });
  });

  it('never sends a rollback twice: a "Rollback to N" revision after the capture is the one sent', () => {
    const history = [rev(2, 'superseded', 'b'), rev(3, 'superseded', 'up'), rev(4, 'deployed', 'Rollback to 2')];
    expect(planRollback(history, data())).toMatchObject({ action: 'sent', revision: { revision: 4 } });
    const pending = [rev(2, 'superseded', 'b'), rev(3, 'deployed', 'up'), rev(4, 'pending-rollback', 'Rollback to 2')];
    expect(planRollback(pending, data())).toMatchObject({
      action: 'wait',
      reason: expect.stringContaining('revision 4'),
    });
    const failed = [rev(2, 'superseded', 'b'), rev(3, 'superseded', 'up'), rev(4, 'failed', 'Rollback to 2')];
    expect(planRollback(failed, data())).toMatchObject({ action: 'failed' });
  });

  it('an older "Rollback to N" (before the capture) does not count', () => {
    const history = [rev(1, 'superseded', 'Rollback to 2'), rev(2, 'superseded', 'b'), rev(3, 'deployed', 'up')];
    expect(planRollback(history, data())).toEqual({ action: 'rollback', to: 2 });
  });

  it('does nothing when the execution made no revision; waits while the release is pending', () => {
    expect(planRollback([rev(1, 'superseded', 'a'), rev(2, 'deployed', 'b')], data())).toMatchObject({
      action: 'nothing',
      reason: expect.stringContaining('still at revision 2'),
    });
    expect(planRollback([rev(2, 'superseded', 'b'), rev(3, 'pending-upgrade', 'up')], data())).toMatchObject({
      action: 'wait',
    });
  });

  it('fails honestly when the captured revision cannot be restored', () => {
    expect(planRollback([], data())).toMatchObject({
      action: 'failed',
      reason: expect.stringContaining('no longer exists'),
    });
    const pruned = [rev(5, 'superseded', 'x'), rev(6, 'deployed', 'y')];
    expect(planRollback(pruned, data())).toMatchObject({
      action: 'failed',
      reason: expect.stringContaining('history-max'),
    });
    expect(
      planRollback([rev(1, 'failed', 'x'), rev(2, 'deployed', 'y')], data({ latest: 1, revision: null })),
    ).toMatchObject({
      action: 'failed',
    });
  });
});

describe('driftSentences', () => {
  const outputs: HelmOutputs = {
    release: 'shop',
    namespace: 'default',
    revision: 3,
    chart: 'shop-0.3.0',
    appVersion: '1.0',
    deployments: [],
    uninstalled: false,
  };
  it('none while the release is at the revision the stage left', () => {
    expect(driftSentences([rev(2, 'superseded', 'x'), rev(3, 'deployed', 'y')], outputs)).toEqual([]);
  });
  it('names both revisions when someone ran helm since', () => {
    expect(driftSentences([rev(3, 'superseded', 'y'), rev(4, 'deployed', 'Upgrade complete')], outputs)).toEqual([
      'Helm release default/shop is at revision 4 (deployed, "Upgrade complete"), not revision 3 that the execution left: someone ran helm since.',
    ]);
  });
  it('says when the release is gone, or back after an uninstall', () => {
    expect(driftSentences([], outputs)).toEqual([
      'Helm release default/shop, which the execution left at revision 3, is gone (uninstalled).',
    ]);
    const gone = { ...outputs, revision: null, uninstalled: true };
    expect(driftSentences([], gone)).toEqual([]);
    expect(driftSentences([rev(1, 'deployed', 'x')], gone)).toEqual([
      'Helm release default/shop, which the execution uninstalled, exists again (revision 1).',
    ]);
  });
});

describe('failed revisions (Helm replaces their description with its error)', () => {
  it('a failed revision above the one seen before sending is the deploy’s own', () => {
    const history = [rev(1, 'superseded', 'a'), rev(2, 'failed', 'Upgrade "shop" failed: boom')];
    expect(planDeploy(history, marker, 'shop', 1)).toEqual({
      action: 'failed',
      reason: 'Helm revision 2 of release shop failed: Upgrade "shop" failed: boom',
    });
    expect(planDeploy(history, marker, 'shop', null)).toEqual({ action: 'send' });
    expect(planDeploy(history, marker, 'shop', 2)).toEqual({ action: 'send' });
  });

  it('a failed rollback revision counts as sent (never sent again)', () => {
    const history = [
      rev(2, 'superseded', 'b'),
      rev(3, 'superseded', 'up'),
      rev(4, 'failed', 'Rollback "shop" failed: x'),
    ];
    expect(planRollback(history, data())).toMatchObject({
      action: 'failed',
      reason: expect.stringContaining('it is not sent again'),
    });
  });
});
