/**
 * The disk threshold an event is judged by: the server's, or the producer's
 * `data.threshold_percent` when that is stricter (higher). An agent can ask
 * for fewer disk alerts, never for more than the server's policy allows.
 */
export function diskThresholdFor(data: Record<string, unknown>, serverPercent: number): number {
  const own = data.threshold_percent;
  return typeof own === "number" && Number.isFinite(own) && own > serverPercent
    ? own
    : serverPercent;
}

/**
 * Whether an event is a disk warning under its threshold, and so alerts no
 * one. Pure (the event and the server's setting), so ingest can tell the
 * producer at once (`outcome_hint`) and the engine decides the same.
 */
export function isBelowDiskThreshold(
  type: string,
  data: Record<string, unknown>,
  serverPercent: number,
): boolean {
  return (
    type === "disk_warning" &&
    typeof data.disk_used_percent === "number" &&
    data.disk_used_percent < diskThresholdFor(data, serverPercent)
  );
}
