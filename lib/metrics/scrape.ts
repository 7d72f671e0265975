import { createHash, timingSafeEqual } from "node:crypto";
import type { Config } from "../config/config";
import type { Queryable } from "../db/types";
import { bearerToken } from "../http/bearer-token";
import { readQueueGauges } from "./gauges";
import type { MetricsRegistry } from "./registry";

/**
 * Whether a scrape may read the metrics: `Authorization: Bearer` with the
 * service key, or with ALERTS_METRICS_TOKEN when it is set (a credential that
 * can read metrics and nothing else, for Prometheus' configuration).
 */
export function scrapeAllowed(
  config: Pick<Config, "serviceKey" | "metricsToken">,
  authorization: string | null | undefined,
): boolean {
  const token = bearerToken(authorization);
  if (!token) return false;
  const given = digest(token);
  // Both compared every time, in constant time, so timing tells nothing.
  const service = timingSafeEqual(given, digest(config.serviceKey));
  const metrics = config.metricsToken ? timingSafeEqual(given, digest(config.metricsToken)) : false;
  return service || metrics;
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/** The Prometheus text of `metrics`, with the queue gauges read from the database at `now`. */
export async function renderMetrics(
  metrics: MetricsRegistry,
  db: Queryable,
  now: Date,
): Promise<{ contentType: string; body: string }> {
  const queue = await readQueueGauges(db, now);
  const { gauges } = metrics;
  gauges.deliveriesDue.set(queue.deliveriesDue);
  gauges.oldestDueSeconds.set(queue.oldestDueSeconds);
  gauges.inboxBacklog.set(queue.inboxBacklog);
  gauges.oldestUnprocessedSeconds.set(queue.oldestUnprocessedSeconds);
  gauges.deferred.set(queue.deferred);
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}
