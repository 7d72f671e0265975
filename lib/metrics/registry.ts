import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { AlertMetrics } from "../alerts/metrics.port";

/**
 * The Prometheus metrics of one process (README, Operations; docs/operations.md).
 * Counters and histograms count what this process did; the queue gauges are
 * read from the database at scrape time (`scrape.ts`), so every process
 * answers them alike.
 */
export interface MetricsRegistry {
  registry: Registry;
  /** The engine's port, feeding the counters and histograms below. */
  port: AlertMetrics;
  gauges: {
    deliveriesDue: Gauge;
    oldestDueSeconds: Gauge;
    inboxBacklog: Gauge;
    oldestUnprocessedSeconds: Gauge;
    deferred: Gauge;
  };
}

const PREFIX = "training_alerts_";

/** A registry of its own (tests; one per process otherwise, `processMetrics`). */
export function createMetricsRegistry({ defaults = true }: { defaults?: boolean } = {}) {
  const registry = new Registry();
  const registers = [registry];
  if (defaults) collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const events = new Counter({
    name: `${PREFIX}events_total`,
    help: "Inbox events processed, by type and outcome (alerted, deduplicated, no_channels, …).",
    labelNames: ["type", "outcome"],
    registers,
  });
  const alerts = new Counter({
    name: `${PREFIX}alerts_total`,
    help: "Alerts written, by the status they started in (pending, deferred, suppressed).",
    labelNames: ["status"],
    registers,
  });
  const deliveries = new Counter({
    name: `${PREFIX}deliveries_total`,
    help: "Deliveries finished, by destination kind and outcome (delivered, failed, skipped).",
    labelNames: ["channel", "outcome"],
    registers,
  });
  const retries = new Counter({
    name: `${PREFIX}delivery_retries_total`,
    help: "Failed attempts that will be retried, by destination kind.",
    labelNames: ["channel"],
    registers,
  });
  const disabled = new Counter({
    name: `${PREFIX}webhooks_disabled_total`,
    help: "Webhooks disabled after repeated failures or because the receiver said they are gone.",
    registers,
  });
  const latency = new Histogram({
    name: `${PREFIX}event_to_delivery_seconds`,
    help: "From an event's arrival to its delivery, per destination (the first successful attempt).",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 36000],
    registers,
  });
  const sendDuration = new Histogram({
    name: `${PREFIX}send_duration_seconds`,
    help: "How long one send took (request to answer), by destination kind.",
    labelNames: ["channel"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const gauge = (name: string, help: string) =>
    new Gauge({ name: `${PREFIX}${name}`, help, registers });
  const metrics: MetricsRegistry = {
    registry,
    gauges: {
      deliveriesDue: gauge("deliveries_due", "Deliveries due now and not yet being sent."),
      oldestDueSeconds: gauge(
        "oldest_due_delivery_age_seconds",
        "How long the oldest due delivery has been waiting (0 when none is due).",
      ),
      inboxBacklog: gauge("inbox_backlog", "Events accepted and not yet processed."),
      oldestUnprocessedSeconds: gauge(
        "oldest_unprocessed_event_age_seconds",
        "Age of the oldest unprocessed event (0 when the inbox is empty).",
      ),
      deferred: gauge("deliveries_deferred", "Deliveries held back until quiet hours end."),
    },
    port: {
      eventProcessed(type, outcome) {
        events.inc({ type, outcome });
      },
      alertCreated(status) {
        alerts.inc({ status });
      },
      attemptRecorded({ kind, outcome, durationMs, sinceEventMs }) {
        if (outcome === "retrying") retries.inc({ channel: kind });
        else deliveries.inc({ channel: kind, outcome });
        if (durationMs !== null) sendDuration.observe({ channel: kind }, durationMs / 1000);
        if (sinceEventMs !== null) latency.observe(Math.max(0, sinceEventMs) / 1000);
      },
      webhookDisabled() {
        disabled.inc();
      },
    },
  };
  return metrics;
}

// Next evaluates modules more than once (instrumentation, each route bundle):
// the one registry of the process lives on globalThis, so the worker's
// counters are the ones the metrics route shows.
const KEY = Symbol.for("training-alerts.metrics");

/** This process's metrics. */
export function processMetrics(): MetricsRegistry {
  const holder = globalThis as { [KEY]?: MetricsRegistry };
  holder[KEY] ??= createMetricsRegistry();
  return holder[KEY];
}
