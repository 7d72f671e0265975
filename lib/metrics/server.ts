import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "../config/config";
import type { Queryable } from "../db/types";
import type { MetricsRegistry } from "./registry";
import { renderMetrics, scrapeAllowed } from "./scrape";

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A standalone worker's `/metrics` (ALERTS_WORKER_METRICS_PORT): the same
 * text and the same credential as the web's `GET /api/metrics`, for a
 * process that serves no web routes.
 */
export async function startMetricsServer(options: {
  port: number;
  host?: string;
  config: Pick<Config, "serviceKey" | "metricsToken">;
  db: Queryable;
  clock: () => Date;
  metrics: MetricsRegistry;
  onError?: (error: unknown) => void;
}): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.method !== "GET" || new URL(req.url ?? "/", "http://x").pathname !== "/metrics") {
        res.writeHead(404, { "content-type": "text/plain" }).end("Not found: try GET /metrics\n");
        return;
      }
      if (!scrapeAllowed(options.config, req.headers.authorization)) {
        res
          .writeHead(401, {
            "content-type": "text/plain",
            "www-authenticate": 'Bearer realm="metrics"',
          })
          .end(
            "Metrics need Authorization: Bearer with ALERTS_METRICS_TOKEN (or the service key).\n",
          );
        return;
      }
      const { contentType, body } = await renderMetrics(
        options.metrics,
        options.db,
        options.clock(),
      );
      res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" }).end(body);
    })().catch((error) => {
      options.onError?.(error);
      if (!res.headersSent) res.writeHead(503, { "content-type": "text/plain" });
      res.end("The metrics could not be read (is the database reachable?).\n");
    });
  });
  server.listen(options.port, options.host);
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
