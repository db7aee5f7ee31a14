// The emulated cluster's time: the machine's clock plus however far tests have moved it on.

export { SimulatedClock } from '../common/simulated-clock.js';

/** RFC 3339 with whole seconds, the way the API writes times. */
export const timestampOf = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
