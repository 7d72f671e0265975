// `npm run worker`: a standalone delivery worker against PostgreSQL. Run as
// many as you like, on as many machines, beside web processes started with
// ALERTS_WORKER=off. SIGTERM/SIGINT stop claiming; the deliveries already
// claimed finish and are recorded, pg-boss's handlers get the grace period
// (ALERTS_WORKER_GRACE_MS, the same for the inline worker), then exit 0.
import { startWorker } from "../lib/engine/worker";
import { processMetrics } from "../lib/metrics/registry";
import { type MetricsServer, startMetricsServer } from "../lib/metrics/server";
import { getContext } from "../lib/server/context";

const ctx = await getContext();
if (ctx.db.kind !== "pg") {
  ctx.log.error(
    "npm run worker needs DATABASE_URL: the embedded database belongs to one process, whose web server already runs the worker (ALERTS_WORKER=inline).",
  );
  process.exit(1);
}
const worker = await startWorker(ctx);
let metricsServer: MetricsServer | undefined;
if (ctx.config.workerMetricsPort) {
  metricsServer = await startMetricsServer({
    port: ctx.config.workerMetricsPort,
    config: ctx.config,
    db: ctx.db,
    clock: ctx.clock,
    metrics: processMetrics(),
    onError: (error) => ctx.log.warn({ err: error }, "a metrics scrape failed"),
  });
  ctx.log.info({ port: metricsServer.port }, "worker metrics on /metrics");
}
process.stdout.write(`worker ${process.pid} ready\n`);

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    ctx.log.info({ signal }, "stopping worker");
    void (async () => {
      await metricsServer?.close();
      await worker.stop(ctx.config.workerGraceMs);
      await ctx.db.close();
      process.exit(0);
    })().catch((error) => {
      ctx.log.error({ err: error }, "worker did not stop cleanly");
      process.exit(1);
    });
  });
}
