// Plain rules of a rolling instance refresh: how many instances one batch may take out of service, and how far along
// a refresh is.

/**
 * Instances one batch replaces: those above the minimum healthy share of the desired capacity (rounded up, as a
 * minimum healthy count), never fewer than one — so 100% replaces one at a time and 0% all at once.
 */
export function refreshBatchSize(input: {
  readonly desiredCapacity: number;
  readonly healthyInstances: number;
  readonly minHealthyPercentage: number;
  readonly remaining: number;
}): number {
  const minHealthy = Math.ceil((input.desiredCapacity * input.minHealthyPercentage) / 100);
  const batch = Math.max(1, input.healthyInstances - minHealthy);
  return Math.min(batch, input.remaining);
}

/** Whole percent of the instances to update that are replaced and in service. */
export function percentageComplete(total: number, notYetDone: number): number {
  if (total <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((100 * (total - notYetDone)) / total)));
}
