/** A clock tests move by hand; the app and the domain read it instead of Date.now(). */
export class TestClock {
  private current: number;

  constructor(start: Date | string = "2026-11-23T12:00:00Z") {
    this.current = new Date(start).getTime();
  }

  now = (): Date => new Date(this.current);

  advanceSeconds(seconds: number): void {
    this.current += seconds * 1000;
  }

  set(time: Date | string): void {
    this.current = new Date(time).getTime();
  }
}
