/**
 * A loop's wake-up: `wait(ms)` resolves at a wake-up or after `ms`. A wake-up
 * that comes while the loop is busy is kept, so the next `wait` returns at
 * once: the pass in progress may already have read past what woke it.
 */
export class WakeSignal {
  private pending = false;
  private resolve: ((byWake: boolean) => void) | undefined;

  wake(): void {
    this.pending = true;
    this.resolve?.(true);
  }

  /** True when woken, false when `ms` ran out. */
  wait(ms: number): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), Math.max(0, ms));
      const finish = (byWake: boolean) => {
        clearTimeout(timer);
        this.resolve = undefined;
        this.pending = false;
        resolve(byWake);
      };
      this.resolve = finish;
    });
  }
}
