import { ConfigError } from "./lib/config/config";
import { startWorker } from "./lib/engine/worker";
import { getContext } from "./lib/server/context";
import type { Logger } from "./lib/server/log";

const WORKER_KEY = Symbol.for("training-alerts.inline-worker");

/**
 * Starts the context (configuration, database, migrations) with the server,
 * so a bad configuration stops start-up with a clear message instead of
 * failing on the first request; with ALERTS_WORKER=inline, starts the worker
 * in this process too.
 */
export async function startNode(): Promise<void> {
  try {
    const ctx = await getContext();
    const holder = globalThis as { [WORKER_KEY]?: unknown };
    if (ctx.config.worker === "inline" && !holder[WORKER_KEY]) {
      const worker = await startWorker(ctx);
      holder[WORKER_KEY] = worker;
      stopBeforeExit(ctx.log, () => worker.stop(ctx.config.workerGraceMs));
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`\n${error.message}\n\n`);
      process.exit(1);
    }
    // Anything else (the database not up yet, say): try again shortly.
    process.stderr.write(
      `Start-up did not complete (${(error as Error).message}); retrying in 5 s\n`,
    );
    setTimeout(() => void startNode(), 5000).unref();
  }
}

/**
 * SIGTERM and SIGINT stop the inline worker before the process exits, so its
 * claimed sends finish and are recorded (within the grace), as a standalone
 * worker's do. `next start` exits as soon as its HTTP server has closed: its
 * handlers (registered before this runs, with any others) are called once the
 * worker has stopped. With none (NEXT_MANUAL_SIG_HANDLE), the process exits 0.
 */
function stopBeforeExit(log: Logger, stop: () => Promise<void>): void {
  let stopped: Promise<void> | undefined;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    const after = process.listeners(signal);
    process.removeAllListeners(signal);
    process.on(signal, () => {
      if (!stopped) log.info({ signal }, "stopping the inline worker");
      stopped ??= stop().catch((error: unknown) => {
        log.error({ err: error }, "the inline worker did not stop cleanly");
      });
      void stopped.then(() => {
        if (after.length === 0) process.exit(0);
        for (const listener of after) listener(signal);
      });
    });
  }
}
