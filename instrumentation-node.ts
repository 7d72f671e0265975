import { ConfigError } from "./lib/config/config";
import { startWorker } from "./lib/engine/worker";
import { getContext } from "./lib/server/context";

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
      process.once("SIGTERM", () => void worker.stop(ctx.config.workerGraceMs));
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
