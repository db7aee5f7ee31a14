// The emulated service's time: the machine's clock plus however far tests have moved it on.

export class SimulatedClock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

/** ECS writes times as epoch seconds in a JSON number (fractions allowed). */
export const epochSeconds = (date: Date) => date.getTime() / 1000;
