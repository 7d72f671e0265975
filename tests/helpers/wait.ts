import type { EngineEventMap, EngineEvents } from "@/lib/alerts/ports";
import type { Queryable } from "@/lib/db/types";

/**
 * Polls `check` until it answers something other than undefined or false, and
 * answers that: only for state in another process that emits nothing this one
 * can hear (a server starting, a worker process's rows). In-process, use
 * `waitOn` with what the code emits. `timeoutMs` is only the point where
 * waiting becomes a failure.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 30_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined && result !== false) return result;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Something that emits: the worker's events, a receiver's, a child's stdout. */
export interface Emitter {
  on(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

/**
 * Answers `check` once it answers something other than undefined or false,
 * checking now and again each time one of `signals` fires (a worker event, a
 * receiver's hit, a line of output): tests wait on what the code emits, never
 * on a timer. Checks run one at a time; a signal during a check runs it once
 * more. `timeoutMs` only turns a wait that never ends into a failure naming
 * what was awaited.
 */
export function waitOn<T>(
  what: string,
  signals: readonly (readonly [Emitter, string])[],
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let running = false;
    let again = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      bound.removeEventListener("abort", onBound);
      for (const [emitter, name] of signals) emitter.off(name, onSignal);
      fn();
    };
    const run = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          const result = await check();
          if (result !== undefined && result !== false) return finish(() => resolve(result));
        } while (again && !settled);
      } catch (error) {
        finish(() => reject(error));
      } finally {
        running = false;
      }
    };
    const onSignal = () => {
      if (!settled) void run();
    };
    // The generous bound: an abort signal that fires once, failing with what was awaited.
    const bound = AbortSignal.timeout(timeoutMs);
    const onBound = () =>
      finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)));
    bound.addEventListener("abort", onBound, { once: true });
    // Listen before the first check, so nothing that happens during it is missed.
    for (const [emitter, name] of signals) emitter.on(name, onSignal);
    void run();
  });
}

/**
 * Waits until a running worker has nothing in hand: every inbox event
 * processed, no delivery pending or being sent. A delivery's outcome is
 * recorded a little after its receiver got the request (group commit), and
 * until then it is `sending` under a lease of the app's clock: a test that
 * moves that clock forward by more than the lease must wait for this first,
 * or the sweep takes the delivery for lost and sends it again. The database
 * is asked once now and once each time the worker reports an inbox pass or
 * recorded outcomes, the only ways it gets there.
 */
export function workerIdle(events: EngineEvents, db: Queryable, timeoutMs = 30_000): Promise<true> {
  return waitOn(
    "the worker to finish what it has in hand",
    [
      [events, "inbox:processed"],
      [events, "delivery:recorded"],
    ],
    async () => {
      const { rows } = await db.query<{ n: number }>(
        `select (select count(*) from alert_events where processed_at is null)
              + (select count(*) from alert_deliveries where status in ('pending', 'sending')) as n`,
      );
      return Number(rows[0]?.n) === 0;
    },
    { timeoutMs },
  );
}

/**
 * Waits for the worker to emit `name` with a payload `until` accepts, and
 * answers that payload: tests wait on what the engine says it did instead of
 * polling the database. `timeoutMs` only turns a wait that never ends into a
 * failure naming what was awaited.
 */
export function waitForEvent<K extends keyof EngineEventMap>(
  events: EngineEvents,
  name: K,
  until: (...payload: EngineEventMap[K]) => boolean = () => true,
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<EngineEventMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      events.off(name, listener as never);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for the worker's ${name} event`));
    }, timeoutMs);
    const listener = (...payload: EngineEventMap[K]) => {
      if (!until(...payload)) return;
      clearTimeout(timer);
      events.off(name, listener as never);
      resolve(payload);
    };
    events.on(name, listener as never);
  });
}
