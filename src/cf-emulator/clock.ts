// The foundation's time: the machine's clock plus however far tests have moved it on.

export { SimulatedClock } from '../common/simulated-clock.js';

/** ISO 8601 UTC with whole seconds, the way Cloud Controller writes times (`2018-04-25T22:42:10Z`). */
export const timestampOf = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
