// The emulated cluster's time: the machine's clock plus however far tests have moved it on.

export class SimulatedClock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

/** RFC 3339 with whole seconds, the way the API writes times. */
export const timestampOf = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
