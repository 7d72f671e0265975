import { afterAll, beforeAll, beforeEach } from "vitest";
import { startWorker, type Worker, type WorkerOptions } from "@/lib/engine/worker";
import { startTestApp, type TestApp } from "./app";
import { manualEngine } from "./engine";

export type ManualEngine = Awaited<ReturnType<typeof manualEngine>>;

/** The tests' receivers listen on 127.0.0.1 over http: allow that, and nothing more. */
export const LOCAL_RECEIVERS = {
  ALERTS_WEBHOOK_ALLOW_HTTP: "true",
  ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
} as const;

export interface EngineApp {
  app: TestApp;
  /** Undefined with `engine: false` (the file starts its own engines). */
  engine: ManualEngine;
  /** The injected clock's current time. */
  now: Date;
  /** Moves the injected clock on by `ms`. */
  tick(ms: number): void;
}

/**
 * A test file's app on local receivers' terms plus `env`, and (unless
 * `engine: false`) a manual engine on it: started before the file's tests,
 * closed after them, the clock set back to `start` before each test.
 */
export function engineTestApp(
  env: Record<string, string> = {},
  { start = new Date("2026-03-02T12:00:00Z"), engine = true } = {},
): EngineApp {
  const t = {
    now: start,
    tick(ms: number) {
      t.now = new Date(t.now.getTime() + ms);
      t.app.setNow(t.now);
    },
  } as EngineApp;
  beforeAll(async () => {
    t.app = await startTestApp({ ...LOCAL_RECEIVERS, ...env });
    if (engine) t.engine = await manualEngine(t.app);
  });
  afterAll(async () => {
    await t.engine?.stop();
    await t.app?.close();
  });
  beforeEach(() => {
    t.now = start;
    t.app.setNow(start);
  });
  return t;
}

export interface WorkerApp {
  app: TestApp;
  worker: Worker;
}

/**
 * A test file's app on local receivers' terms and a real worker on it
 * (`options`), on the clock of the moment (receivers check webhook-timestamp
 * against their own): started before the file's tests, stopped after them.
 */
export function workerTestApp(options: WorkerOptions): WorkerApp {
  const t = {} as WorkerApp;
  beforeAll(async () => {
    t.app = await startTestApp({ ...LOCAL_RECEIVERS });
    t.app.setNow(new Date());
    t.worker = await startWorker(t.app.ctx, options);
  });
  afterAll(async () => {
    await t.worker?.stop(2000);
    await t.app?.close();
  });
  return t;
}
