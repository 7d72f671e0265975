import { type BackoffOptions, backoffDelay } from "./backoff";
import { type AlertsClient, createClient } from "./client";
import { diskUsage, diskWarningKey } from "./disk";
import { LogTail } from "./log-tail";
import { Outbox, type OutboxLimits, type Pending } from "./outbox";

export interface AgentOptions {
  /** Base URL of the Training Alerts server. */
  url: string;
  /** ALERTS_SERVICE_KEY. */
  serviceKey: string;
  /** The user whose alerts these are. */
  userId: string;
  /** The job whose log is tailed; disk warnings mention it too. */
  jobId?: string;
  /** Paths whose filesystems are watched; empty: no disk watch. */
  disks: string[];
  /** A disk at or above this percentage used raises disk_warning. */
  thresholdPercent: number;
  /** Log file to follow and send to the job's `/logs`; unset: no log tailing. */
  logPath?: string;
  /** Read an existing log from its start instead of from its end. */
  logFromStart: boolean;
  /** Time between disk checks. */
  diskIntervalMs: number;
  /** Time between looks at the log file. */
  logIntervalMs: number;
  /** Limit for one request. */
  timeoutMs: number;
  /** This machine's name, sent with disk warnings (`data.host`). */
  host: string;
}

/** The pino-compatible subset the agent logs through. */
export interface AgentLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AgentDeps {
  /** Default Date.now. */
  now?: () => number;
  /** Waits `ms`, or less when `signal` aborts. Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Default: silent. */
  log?: AgentLogger;
  /** Default: real HTTP to `options.url` (createClient). */
  client?: AlertsClient;
  backoff?: BackoffOptions;
  outbox?: OutboxLimits;
  /** 500-class answers to one item before it is given up as unprocessable. Default 5. */
  maxSuspectAttempts?: number;
}

export interface Agent {
  /**
   * Does what is due — disk checks, reading the log, deliveries — and
   * answers the milliseconds until something is due again. Never throws.
   */
  step(): Promise<number>;
  /** Steps until `signal` aborts. Never throws. */
  run(signal?: AbortSignal): Promise<void>;
  /** Checks the disks and reads the log now, whatever the schedule. */
  collect(): Promise<void>;
  /**
   * Delivers what is queued, waiting out backoff between tries, until the
   * queue is empty or `maxFailures` tries failed; answers what is left.
   * `waitForBackoff: false` (on shutdown) tries at once and never waits.
   */
  flush(maxFailures: number, options?: { waitForBackoff?: boolean }): Promise<number>;
  /**
   * Everything that went wrong so far, one sentence each: a path it could not
   * measure or read, a report the API refused or kept failing. `--once` exits 1
   * when there is any.
   */
  problems(): readonly string[];
  readonly outbox: Outbox;
  close(): Promise<void>;
}

const silent: AgentLogger = { info() {}, warn() {}, error() {} };

function timerSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * The training-host agent: watches disks and a log file and reports to the
 * API. It is built to be harmless to the training it watches — it runs as its
 * own process, holds a bounded queue, backs off while the API is away and
 * treats every failure (a full disk it cannot stat, a rejected request, a
 * dead server) as something to log, never as a reason to stop.
 */
export function createAgent(options: AgentOptions, deps: AgentDeps = {}): Agent {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? timerSleep;
  const log = deps.log ?? silent;
  const maxSuspect = deps.maxSuspectAttempts ?? 5;
  const client =
    deps.client ??
    createClient({
      url: options.url,
      serviceKey: options.serviceKey,
      timeoutMs: options.timeoutMs,
      now,
    });
  const outbox = new Outbox(deps.outbox);
  const tail = options.logPath
    ? new LogTail({ path: options.logPath, startAt: options.logFromStart ? "start" : "end" })
    : undefined;
  if (tail && !options.jobId) throw new Error("a log file is sent to a job: set jobId");

  let nextDiskAt = 0;
  let nextLogAt = 0;
  /** No delivery before this time (backoff). */
  let retryAt = 0;
  /** Consecutive failed tries, for the backoff. */
  let failures = 0;
  /** 500-class answers to the item at the head of the queue. */
  let suspect: { item: Pending; count: number } | undefined;
  /** The last key queued per path: one warning per path and 6-hour bucket from this process. */
  const queuedKeys = new Map<string, string>();
  /** The last problem logged per source, so a persistent one is logged once, not every minute. */
  const lastProblem = new Map<string, string>();
  /** Every problem, for `problems()` (bounded: a long run keeps the latest 100). */
  const seen: string[] = [];
  function record(sentence: string): void {
    seen.push(sentence);
    if (seen.length > 100) seen.shift();
  }

  function problem(source: string, message: string, fields: object): void {
    if (lastProblem.get(source) === message) return;
    record(`${source}: ${message}`);
    lastProblem.set(source, message);
    log.warn({ ...fields, err: message }, `${source}: ${message}`);
  }

  async function checkDisks(): Promise<void> {
    for (const path of options.disks) {
      let usedPercent: number;
      try {
        ({ usedPercent } = await diskUsage(path));
        lastProblem.delete(`disk ${path}`);
      } catch (error) {
        problem(`disk ${path}`, (error as Error).message, { disk_path: path });
        continue;
      }
      if (usedPercent < options.thresholdPercent) continue;
      const at = now();
      const key = diskWarningKey(options.userId, options.host, path, at);
      if (queuedKeys.get(path) === key) continue;
      queuedKeys.set(path, key);
      log.warn(
        { disk_path: path, disk_used_percent: usedPercent, threshold: options.thresholdPercent },
        "disk above threshold; sending disk_warning",
      );
      outbox.putDiskWarning({
        key,
        path,
        body: {
          type: "disk_warning",
          user_id: options.userId,
          ...(options.jobId ? { job_id: options.jobId } : {}),
          occurred_at: new Date(at).toISOString(),
          data: {
            disk_path: path,
            disk_used_percent: usedPercent,
            threshold_percent: options.thresholdPercent,
            host: options.host,
          },
        },
      });
    }
  }

  async function readLog(): Promise<void> {
    if (!tail) return;
    let lines: string[];
    try {
      lines = await tail.poll();
      lastProblem.delete("log");
    } catch (error) {
      problem("log", (error as Error).message, { log: tail.path });
      return;
    }
    if (lines.length === 0) return;
    const dropped = outbox.addLogLines(lines);
    if (dropped.droppedBatches > 0) {
      log.warn(
        { dropped_lines: dropped.droppedLines, dropped_batches: dropped.droppedBatches },
        "log queue full while the API is unreachable; dropped the oldest lines",
      );
    }
  }

  function send(item: Pending) {
    if (item.kind === "disk_warning") {
      return client.post("/api/alerts/events", item.body, { "idempotency-key": item.key });
    }
    return client.post(`/api/training/jobs/${options.jobId}/logs`, { lines: item.lines });
  }

  function delivered(item: Pending, body: unknown): void {
    const answer = (body ?? {}) as Record<string, unknown>;
    if (item.kind === "disk_warning") {
      log.info(
        { disk_path: item.path, event_id: answer.event_id, duplicate: answer.duplicate },
        answer.duplicate ? "disk warning already known to the server" : "disk warning delivered",
      );
      // The server alerts at the stricter of --threshold and its own threshold:
      // say so here, or a lower --threshold reads as if it decided.
      if (answer.outcome_hint === "below_threshold") {
        log.warn(
          { disk_path: item.path, event_id: answer.event_id, threshold: options.thresholdPercent },
          "the server will not alert: the disk is below its own threshold, which is higher than --threshold",
        );
      }
    } else if (answer.oom === true) {
      log.warn(
        { job_id: options.jobId, signature: answer.signature, event_id: answer.event_id },
        "the server recognised an out-of-memory error in the log",
      );
    }
  }

  /** Sends queued items in order until the queue is empty or a try fails; answers false on a failed try. */
  async function deliver(): Promise<boolean> {
    for (let item = outbox.next(); item; item = outbox.next()) {
      const result = await send(item);
      if (result.ok) {
        outbox.remove(item);
        failures = 0;
        suspect = undefined;
        delivered(item, result.body);
        continue;
      }
      const what = item.kind === "disk_warning" ? `disk warning for ${item.path}` : "log batch";
      if (!result.retry) {
        outbox.remove(item);
        failures = 0;
        log.error({ status: result.status }, `${what} rejected, skipped: ${result.message}`);
        record(`${what} refused by the server (${result.status}): ${result.message}`);
        continue;
      }
      if (result.suspect) {
        suspect = suspect?.item === item ? { item, count: suspect.count + 1 } : { item, count: 1 };
        if (suspect.count >= maxSuspect) {
          outbox.remove(item);
          suspect = undefined;
          log.error(
            { status: result.status },
            `${what} failed ${maxSuspect} times with a server error, skipped: ${result.message}`,
          );
          record(`${what} failed ${maxSuspect} times with a server error: ${result.message}`);
        }
      }
      failures++;
      const waitMs = backoffDelay(failures, result.retryAfterMs, deps.backoff);
      retryAt = now() + waitMs;
      log.warn(
        { status: result.status, retry_in_ms: waitMs, queued: outbox.size },
        `could not deliver ${what}: ${result.message}`,
      );
      return false;
    }
    return true;
  }

  async function step(): Promise<number> {
    try {
      // The next time is set before the work, so a failure cannot turn into a busy loop.
      if (options.disks.length > 0 && now() >= nextDiskAt) {
        nextDiskAt = now() + options.diskIntervalMs;
        await checkDisks();
      }
      if (tail && now() >= nextLogAt) {
        nextLogAt = now() + options.logIntervalMs;
        await readLog();
      }
      if (outbox.size > 0 && now() >= retryAt) await deliver();
    } catch (error) {
      // Nothing above should throw; if it does, the agent carries on regardless.
      log.error({ err: (error as Error).message }, "agent step failed");
    }
    const due = [
      options.disks.length > 0 ? nextDiskAt : Number.POSITIVE_INFINITY,
      tail ? nextLogAt : Number.POSITIVE_INFINITY,
      outbox.size > 0 ? retryAt : Number.POSITIVE_INFINITY,
    ];
    const wait = Math.min(...due) - now();
    return Number.isFinite(wait) ? Math.max(0, wait) : options.diskIntervalMs;
  }

  return {
    outbox,
    step,
    problems: () => [...seen],
    async run(signal) {
      while (!signal?.aborted) {
        const wait = await step();
        await sleep(wait, signal);
      }
    },
    async collect() {
      try {
        await checkDisks();
        await readLog();
      } catch (error) {
        log.error({ err: (error as Error).message }, "agent collect failed");
      }
    },
    async flush(maxFailures, { waitForBackoff = true } = {}) {
      let failed = 0;
      while (outbox.size > 0 && failed < maxFailures) {
        const wait = retryAt - now();
        if (wait > 0 && waitForBackoff) await sleep(wait);
        try {
          if (!(await deliver())) failed++;
        } catch (error) {
          failed++;
          log.error({ err: (error as Error).message }, "agent flush failed");
        }
      }
      return outbox.size;
    },
    async close() {
      await tail?.close();
    },
  };
}
