// An emulator's time: the machine's clock plus however far tests have moved it on (every platform emulator uses it).

export class SimulatedClock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}
