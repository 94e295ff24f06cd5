/** A clock tests advance by hand, for pure cores that take `now`. */
export class ManualClock {
  constructor(public nowMs = 0) {}
  now = (): number => this.nowMs;
  advance(ms: number): number {
    this.nowMs += ms;
    return this.nowMs;
  }
}
