// The emulated region's time: the machine's clock plus however far tests have moved it on.

export { SimulatedClock } from '../common/simulated-clock.js';
