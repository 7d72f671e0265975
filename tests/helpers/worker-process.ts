import { type ChildProcess, spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { ENCRYPTION_KEY, JWT_SECRET, SERVICE_KEY } from "./app";

const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * The admin connection string of the PostgreSQL that process tests run on.
 * They cannot run on PGlite (one process per data directory), so a missing
 * TEST_DATABASE_URL is a failure that says what to do, never a skip.
 */
export function requirePostgres(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      "tests/processes run real worker processes against PostgreSQL, and TEST_DATABASE_URL is not set. " +
        "Set it to a connection string allowed to create databases, e.g. " +
        "TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run test:processes",
    );
  }
  return url;
}

/**
 * Configuration shared by the test process (which plays the web server) and
 * its workers: the same secrets, so that webhooks the test writes decrypt in
 * the workers, and the same rules.
 */
export function sharedEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ALERTS_WEBHOOK_ALLOW_HTTP: "true",
    ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
    ALERTS_WEBHOOK_RETRY_SCHEDULE: "1,1,1",
    // Tests send many alerts to one user; none may be suppressed.
    ALERTS_RATE_LIMIT_PER_HOUR: "100000",
    ...extra,
  };
}

/**
 * What a deployment on `databaseUrl` sets for its web and worker processes:
 * the secrets of tests/helpers/app, configuration required, and
 * `sharedEnv()`'s rules; `extra` adds or overrides.
 */
export function deploymentEnv(
  databaseUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    SUPABASE_JWT_SECRET: JWT_SECRET,
    ALERTS_SERVICE_KEY: SERVICE_KEY,
    ALERTS_ENCRYPTION_KEY: ENCRYPTION_KEY,
    ALERTS_REQUIRE_CONFIG: "true",
    ...sharedEnv(),
    ...extra,
  };
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface WorkerProcess {
  pid: number;
  child: ChildProcess;
  /** The worker's stdout so far, line by line. */
  lines: string[];
  /** Its stdout lines that are JSON log records. */
  logs(): LogLine[];
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal; answers when the process has exited. */
  signal(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Its stderr so far (for failure messages). */
  stderr(): string;
}

const running = new Set<WorkerProcess>();

/**
 * Starts `scripts/worker.ts` as a real child process on `databaseUrl`, the way
 * `npm run worker` does, and resolves once it printed `worker <pid> ready`.
 * `env` adds to (or overrides) `sharedEnv()` and the secrets of tests/helpers/app.
 */
export async function spawnWorker(
  databaseUrl: string,
  env: Record<string, string> = {},
  readyTimeoutMs = 60_000,
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
    cwd: ROOT,
    // A clean environment: only what a deployment would set, nothing inherited from the test runner.
    env: {
      NODE_ENV: "production",
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? os.tmpdir(),
      TMPDIR: os.tmpdir(),
      // Only an email outbox would go there; these tests send webhooks.
      ALERTS_DATA_DIR: path.join(os.tmpdir(), "training-alerts-worker"),
      LOG_LEVEL: "warn",
      ...deploymentEnv(databaseUrl, env),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let stderr = "";
  let partial = "";
  let onLine: ((line: string) => void) | undefined;
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      onLine?.(line);
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const worker: WorkerProcess = {
    pid: child.pid ?? -1,
    child,
    lines,
    logs: () => lines.flatMap((line) => parseLog(line)),
    exited,
    async signal(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    stderr: () => stderr,
  };
  running.add(worker);
  void exited.then(() => running.delete(worker));

  const readyLine = `worker ${child.pid} ready`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`worker ${child.pid} not ready in ${readyTimeoutMs} ms\n${stderr}`));
    }, readyTimeoutMs);
    const done = (error?: Error) => {
      clearTimeout(timer);
      onLine = undefined;
      if (error) reject(error);
      else resolve();
    };
    onLine = (line) => {
      if (line === readyLine) done();
    };
    if (lines.includes(readyLine)) done();
    void exited.then(({ code, signal }) =>
      done(new Error(`worker exited (${code ?? signal}) before it was ready\n${stderr}`)),
    );
  });
  return worker;
}

/** Kills every worker this file started that is still running (after a failed test). */
export async function killAllWorkers(): Promise<void> {
  await Promise.all([...running].map((w) => w.signal("SIGKILL")));
}

/** A stdout line as a JSON log record (in a list of one), or nothing when it is not one. */
export function parseLog(line: string): LogLine[] {
  if (!line.startsWith("{")) return [];
  try {
    return [JSON.parse(line) as LogLine];
  } catch {
    return [];
  }
}

/**
 * Warnings and errors (level 40 and up) by `message: error message`, with
 * how many times each was logged: what workers complained about on the way.
 */
export function warningCounts(logs: LogLine[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of logs.filter((l) => l.level >= 40)) {
    const key = `${l.msg}: ${(l.err as { message?: string } | undefined)?.message ?? ""}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
