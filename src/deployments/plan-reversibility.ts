import type { ComponentFile, MemberRef } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';
import { reversibility, type DeployChange, type Reversibility } from '../salesforce/reversibility.js';
import type { DeployPlan } from './destructive-plan.js';

type Labelled<T> = T & { reversibility: Reversibility };

/**
 * Each planned item with its reversibility: what rolling the deploy back can undo. `after` holds, by componentKey,
 * the files the deploy sends and `before` the org's files of the updated ones (for the types read); an update
 * missing from `before` was not read.
 */
export function labelPlan(
  plan: DeployPlan,
  after: ReadonlyMap<string, ComponentFile[]>,
  before: ReadonlyMap<string, ComponentFile[]> = new Map(),
): {
  create: Labelled<MemberRef>[];
  update: Labelled<MemberRef>[];
  deploy: Labelled<MemberRef>[];
  delete: Labelled<DeployPlan['delete'][number]>[];
} {
  const label = <T extends MemberRef>(item: T, change: DeployChange): Labelled<T> => {
    const files = after.get(componentKey(item));
    const old = change === 'update' ? before.get(componentKey(item)) : undefined;
    return {
      ...item,
      reversibility: reversibility({
        type: item.type,
        fullName: item.fullName,
        change,
        ...(files && change !== 'delete' ? { after: files } : {}),
        ...(old ? { before: old } : {}),
      }),
    };
  };
  return {
    create: plan.create.map((c) => label(c, 'create')),
    update: plan.update.map((c) => label(c, 'update')),
    // not checked against the org: labelled as an update, the case that needs a person most often
    deploy: plan.deploy.map((c) => label(c, 'update')),
    delete: plan.delete.map((d) => label(d, 'delete')),
  };
}
