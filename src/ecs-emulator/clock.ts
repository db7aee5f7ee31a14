// The emulated service's time: the machine's clock plus however far tests have moved it on.

export { SimulatedClock } from '../common/simulated-clock.js';

/** ECS writes times as epoch seconds in a JSON number (fractions allowed). */
export const epochSeconds = (date: Date) => date.getTime() / 1000;
