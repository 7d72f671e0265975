import { appendToBatches, type LogBatch } from "./log-batches";

/** A disk warning waiting to be delivered: the body of `POST /api/alerts/events`. */
export interface PendingDiskWarning {
  kind: "disk_warning";
  /** Idempotency-Key (see diskWarningKey). */
  key: string;
  path: string;
  body: Record<string, unknown>;
}

export interface PendingLogBatch extends LogBatch {
  kind: "logs";
}

export type Pending = PendingDiskWarning | PendingLogBatch;

export interface OutboxLimits {
  /** Most log batches held while the API is unreachable. Default 100. */
  maxLogBatches?: number;
  /** Most bytes of log lines held. Default 8 MiB. */
  maxLogBytes?: number;
}

export interface DropReport {
  droppedBatches: number;
  droppedLines: number;
}

/**
 * What the agent still has to deliver, bounded in memory. Disk warnings go
 * first and are never dropped — there is at most one per path, a newer one
 * replacing an undelivered older one (it carries the fresher percentage and
 * the current 6-hour key). Log batches queue behind them in order; past the
 * limits the oldest batches are dropped, because new lines matter more to an
 * out-of-memory check than old ones.
 */
export class Outbox {
  private readonly disks = new Map<string, PendingDiskWarning>();
  private readonly logs: PendingLogBatch[] = [];
  private logBytes = 0;
  private readonly maxLogBatches: number;
  private readonly maxLogBytes: number;

  constructor(limits: OutboxLimits = {}) {
    this.maxLogBatches = limits.maxLogBatches ?? 100;
    this.maxLogBytes = limits.maxLogBytes ?? 8 * 1024 * 1024;
  }

  putDiskWarning(warning: Omit<PendingDiskWarning, "kind">): void {
    // Re-inserting moves the path to the back; warnings for other paths keep their turn.
    this.disks.delete(warning.path);
    this.disks.set(warning.path, { kind: "disk_warning", ...warning });
  }

  /** Queues log lines, filling the newest batch first; answers what had to be dropped. */
  addLogLines(lines: readonly string[]): DropReport {
    appendToBatches(
      this.logs,
      lines,
      (): PendingLogBatch => ({ kind: "logs", lines: [], bytes: 0 }),
    );
    this.logBytes = this.logs.reduce((n, b) => n + b.bytes, 0);
    const report: DropReport = { droppedBatches: 0, droppedLines: 0 };
    while (
      this.logs.length > 1 &&
      (this.logs.length > this.maxLogBatches || this.logBytes > this.maxLogBytes)
    ) {
      const dropped = this.logs.shift();
      if (!dropped) break;
      this.logBytes -= dropped.bytes;
      report.droppedBatches++;
      report.droppedLines += dropped.lines.length;
    }
    return report;
  }

  /** The next thing to deliver: disk warnings before log batches, oldest first. */
  next(): Pending | undefined {
    for (const warning of this.disks.values()) return warning;
    return this.logs[0];
  }

  remove(item: Pending): void {
    if (item.kind === "disk_warning") {
      if (this.disks.get(item.path) === item) this.disks.delete(item.path);
      return;
    }
    const at = this.logs.indexOf(item);
    if (at >= 0) {
      this.logs.splice(at, 1);
      this.logBytes -= item.bytes;
    }
  }

  get size(): number {
    return this.disks.size + this.logs.length;
  }

  /** Queued disk warnings, for tests and status logs. */
  get diskWarnings(): PendingDiskWarning[] {
    return [...this.disks.values()];
  }

  get logBatches(): readonly PendingLogBatch[] {
    return this.logs;
  }
}
