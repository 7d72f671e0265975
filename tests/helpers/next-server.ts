import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Emitter, waitOn } from "./wait";

const ROOT = path.resolve(import.meta.dirname, "../..");
const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
/** What `next start` prints once it listens ("✓ Ready in 350ms"). */
const READY = /^\S* ?Ready in /m;

/** Variables that would take the server out of fresh local mode on the embedded database. */
const INHERITED_CONFIG = [
  "DATABASE_URL",
  "SUPABASE_JWT_SECRET",
  "SUPABASE_URL",
  "NEXT_PUBLIC_SUPABASE_URL",
  "NEXT_PUBLIC_SUPABASE_ANON_KEY",
  "ALERTS_SERVICE_KEY",
  "ALERTS_ENCRYPTION_KEY",
  "ALERTS_ENCRYPTION_KEYS_OLD",
  "ALERTS_REQUIRE_CONFIG",
  "ALERTS_APP_URL",
  "SMTP_URL",
  "HOSTNAME",
];

export interface NextServer {
  url: string;
  dataDir: string;
  /** The producer key: `ALERTS_SERVICE_KEY` when given, else the one local mode generated in the data directory. */
  serviceKey: string;
  /** The server process's id. */
  pid: number;
  /** Whether the process is still running (it has not exited or crashed). */
  running(): boolean;
  /** The server's output so far (for failure messages). */
  output(): string;
  /**
   * Emits "output" each time the server prints (stdout or stderr): a signal
   * for `waitOn`, for what the server logs as it happens (at `LOG_LEVEL=info`,
   * say, the worker's "delivery batch" line once a batch's outcomes are recorded).
   */
  printed: Emitter;
  /** Sends a signal; answers how the process exited (the data directory stays until `stop`). */
  signal(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/**
 * Serves the production build (`next start`) in local mode on a fresh
 * embedded database in a temporary data directory, on a free port. Local
 * webhooks are allowed so tests can point one at a receiver on 127.0.0.1.
 * `extraEnv` may point it at PostgreSQL instead (`DATABASE_URL`) and give it
 * its secrets (then there is no local-secrets file).
 */
export async function startNextServer(
  extraEnv: Record<string, string> = {},
  options: {
    /**
     * Exactly what a newcomer runs: no webhook or link settings at all (local
     * mode's own defaults apply). Default false: local receivers allowed explicitly.
     */
    bare?: boolean;
  } = {},
): Promise<NextServer> {
  if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    throw new Error(
      "There is no production build (.next/BUILD_ID is missing). The browser tests and the " +
        "PostgreSQL-restart fault test run against `next build` output: run `npm run build` first, " +
        "then `npm run test:browser` or `npm run test:faults`.",
    );
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), "ta-browser-"));
  const port = await freePort();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // next start sets NODE_ENV itself.
    if (v !== undefined && k !== "NODE_ENV" && !INHERITED_CONFIG.includes(k)) env[k] = v;
  }
  Object.assign(env, {
    ALERTS_DATA_DIR: dataDir,
    PORT: String(port),
    ...(options.bare
      ? {}
      : {
          ALERTS_WEBHOOK_ALLOW_HTTP: "true",
          ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
          ALERTS_APP_URL: `http://127.0.0.1:${port}`,
          LOG_LEVEL: "warn",
        }),
    ...extraEnv,
  });
  // Nothing that would change local mode's defaults leaks in from the test runner.
  if (options.bare) {
    for (const k of ["ALERTS_WEBHOOK_ALLOW_HTTP", "ALERTS_WEBHOOK_ALLOWED_CIDRS", "LOG_LEVEL"]) {
      if (!(k in extraEnv)) delete env[k];
    }
  }
  const child: ChildProcess = spawn(
    process.execPath,
    [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"],
    { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const printed = new EventEmitter();
  const print = (c: Buffer) => {
    output += c.toString();
    printed.emit("output");
  };
  child.stdout?.on("data", print);
  child.stderr?.on("data", print);
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    // Next prints "Ready" once it listens, before it has run instrumentation's
    // register() (the context, migrations and the inline worker); it holds
    // every request until register() has finished, so one health check after
    // that line answers whether start-up completed.
    await waitOn(
      "next start to print its Ready line",
      [
        [printed, "output"],
        [child, "exit"],
      ],
      () => {
        if (exited) throw new Error("next start exited early");
        return READY.test(output);
      },
      { timeoutMs: 90_000 },
    );
    const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(90_000) }).catch(
      (error: Error) => {
        throw new Error(
          `the server printed Ready but /api/health did not answer (${error.message})`,
        );
      },
    );
    const body = (await res.json()) as { status?: string; worker?: string };
    if (!res.ok || body.status !== "ok" || body.worker !== "running") {
      throw new Error(
        `the server started but /api/health answered ${res.status} ${JSON.stringify(body)}`,
      );
    }
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- server output ---\n${output}`);
  }
  const serviceKey =
    extraEnv.ALERTS_SERVICE_KEY ??
    (
      JSON.parse(readFileSync(path.join(dataDir, "local-secrets.json"), "utf8")) as {
        serviceKey: string;
      }
    ).serviceKey;
  return {
    url,
    dataDir,
    serviceKey,
    pid: child.pid ?? -1,
    running: () => !exited,
    output: () => output,
    printed,
    async signal(signal) {
      if (!exited) child.kill(signal);
      return exit;
    },
    stop,
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
