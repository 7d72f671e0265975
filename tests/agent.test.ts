import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { appendFile, mkdtemp, rename, rm, truncate, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { POST as postLogs } from "@/app/api/training/jobs/[id]/logs/route";
import { PUT as putJob } from "@/app/api/training/jobs/[id]/route";
import { type AgentDeps, type AgentLogger, createAgent } from "@/lib/agent/agent";
import { backoffDelay } from "@/lib/agent/backoff";
import { diskUsage, diskWarningKey } from "@/lib/agent/disk";
import { MAX_BATCH_BYTES, MAX_BATCH_LINES } from "@/lib/agent/log-batches";
import { LogTail } from "@/lib/agent/log-tail";
import { parseAgentArgs, UsageError } from "@/lib/agent/options";
import { Outbox } from "@/lib/agent/outbox";
import { SERVICE_KEY, startTestApp, type TestApp } from "./helpers/app";
import { type ReceivedRequest, type Responder, startReceiver } from "./helpers/receiver";
import { serveRoutes } from "./helpers/route-server";
import { waitOn } from "./helpers/wait";

const USER = "3f2b8c1e-4d5a-4b6c-9d7e-1a2b3c4d5e6f";
const JOB = "9a7c2d10-1b2c-4d3e-8f90-123456789abc";
const T0 = Date.parse("2026-03-01T12:00:00Z");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "agent-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const receivers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(respond?: Responder) {
  const r = await startReceiver(respond);
  receivers.push(r);
  return r;
}

const accepted = (): { status: number; body: string } => ({
  status: 202,
  body: JSON.stringify({ event_id: randomUUID(), duplicate: false }),
});

interface LogEntry {
  level: "info" | "warn" | "error";
  msg: string;
  fields: object;
}

function recordingLogger(): AgentLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry["level"]) => (fields: object, msg: string) => {
    entries.push({ level, msg, fields });
  };
  return { entries, info: at("info"), warn: at("warn"), error: at("error") };
}

/** An agent as `npm run agent` builds it from `argv`, on a clock the test moves. */
function agentFor(argv: string[], deps: AgentDeps = {}) {
  const parsed = parseAgentArgs(["--key", SERVICE_KEY, "--user", USER, ...argv], {});
  if (parsed === "help") throw new Error("unexpected --help");
  const { once: _once, ...options } = parsed;
  const clock = { now: T0 };
  const log = recordingLogger();
  const agent = createAgent(options, {
    now: () => clock.now,
    log,
    backoff: { random: () => 0.5 },
    ...deps,
  });
  return { agent, clock, log, options };
}

const bodyOf = (r: ReceivedRequest | undefined) =>
  JSON.parse(r?.body ?? "null") as Record<string, unknown> & { data: Record<string, unknown> };

/** A port nothing listens on: a server that was started and closed. */
async function deadPort(): Promise<number> {
  const server = http.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("disk watch", () => {
  it("measures a real directory's filesystem as df does", async () => {
    const usage = await diskUsage(dir);
    expect(usage.path).toBe(dir);
    expect(usage.usedPercent).toBeGreaterThan(0);
    expect(usage.usedPercent).toBeLessThanOrEqual(100);
  });

  it("posts a disk warning for a real temporary directory above an artificially low threshold", async () => {
    const api = await receiver(accepted);
    const { agent, clock, options } = agentFor([
      "--url",
      api.url,
      "--disk",
      dir,
      "--threshold",
      "1",
    ]);
    await agent.step();
    await api.waitFor(1);
    const [request] = api.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/api/alerts/events");
    expect(request?.headers.authorization).toBe(`Bearer ${SERVICE_KEY}`);
    expect(request?.headers["idempotency-key"]).toBe(diskWarningKey(USER, options.host, dir, T0));
    const body = bodyOf(request);
    expect(body).toMatchObject({
      type: "disk_warning",
      user_id: USER,
      occurred_at: new Date(T0).toISOString(),
      data: { disk_path: dir, threshold_percent: 1 },
    });
    expect(body.data.disk_used_percent).toBeGreaterThanOrEqual(1);
    expect(agent.outbox.size).toBe(0);

    // Still full a minute later: the same 6-hour bucket, nothing new to say.
    clock.now += 60_000;
    await agent.step();
    expect(api.requests).toHaveLength(1);
    // Six hours on, a new bucket: one more warning (the server decides whether it alerts).
    clock.now += 6 * 60 * 60_000;
    await agent.step();
    await api.waitFor(2);
    expect(api.requests[1]?.headers["idempotency-key"]).not.toBe(
      request?.headers["idempotency-key"],
    );
  });

  it("says nothing about a disk below the threshold", async () => {
    const api = await receiver(accepted);
    const { agent } = agentFor(["--url", api.url, "--disk", dir, "--threshold", "100"]);
    await agent.step();
    expect(agent.outbox.size).toBe(0);
    expect(api.requests).toHaveLength(0);
  });

  it("logs a path it cannot measure once and keeps watching the others", async () => {
    const api = await receiver(accepted);
    const missing = path.join(dir, "no-such-mount");
    const { agent, clock, log } = agentFor([
      "--url",
      api.url,
      "--disk",
      missing,
      "--disk",
      dir,
      "--threshold",
      "1",
    ]);
    await agent.step();
    clock.now += 60_000;
    await agent.step();
    await api.waitFor(1);
    expect(bodyOf(api.requests[0]).data.disk_path).toBe(dir);
    const complaints = log.entries.filter((e) => e.msg.startsWith(`disk ${missing}`));
    expect(complaints).toHaveLength(1);
    expect(complaints[0]?.msg).toContain("ENOENT");
  });

  it("keys a warning by user, host, path and 6-hour bucket, in header-safe ASCII", () => {
    const key = diskWarningKey(USER, "gpu-01", "/data/чекпойнты with spaces", T0);
    expect(key).toMatch(/^[\x21-\x7e]{1,255}$/);
    expect(diskWarningKey(USER, "gpu-01", "/data/чекпойнты with spaces", T0 + 60_000)).toBe(key);
    expect(diskWarningKey(USER, "gpu-02", "/data/чекпойнты with spaces", T0)).not.toBe(key);
    expect(diskWarningKey(USER, "gpu-01", "/scratch", T0)).not.toBe(key);
    expect(
      diskWarningKey(USER, "gpu-01", "/data/чекпойнты with spaces", T0 + 6 * 3_600_000),
    ).not.toBe(key);
  });
});

describe("through the real route handlers", () => {
  let app: TestApp;
  let server: Awaited<ReturnType<typeof serveRoutes>>;
  beforeAll(async () => {
    // A server threshold no real disk reaches, so --threshold 1 is always the looser one.
    app = await startTestApp({ ALERTS_DISK_THRESHOLD_PERCENT: "100" });
    server = await serveRoutes([
      { method: "POST", path: /^\/api\/alerts\/events$/, handler: postEvent },
      { method: "PUT", path: /^\/api\/training\/jobs\/(?<id>[^/]+)$/, handler: putJob },
      { method: "POST", path: /^\/api\/training\/jobs\/(?<id>[^/]+)\/logs$/, handler: postLogs },
    ]);
  });
  afterAll(async () => {
    await server?.close();
    await app?.close();
  });

  it("stores one disk_warning event, and a restarted agent is answered duplicate", async () => {
    const user = randomUUID();
    const argv = ["--url", server.url, "--user", user, "--disk", dir, "--threshold", "1"];
    const first = agentFor(argv);
    await first.agent.step();
    expect(first.agent.outbox.size).toBe(0);
    expect(first.log.entries.map((e) => e.msg)).toContain("disk warning delivered");

    const restarted = agentFor(argv);
    restarted.clock.now += 30 * 60_000;
    await restarted.agent.step();
    expect(restarted.agent.outbox.size).toBe(0);
    expect(restarted.log.entries.map((e) => e.msg)).toContain(
      "disk warning already known to the server",
    );

    const { rows } = await app.ctx.db.query<{
      type: string;
      data: Record<string, unknown>;
      idempotency_key: string;
    }>("select type, data, idempotency_key from alert_events where user_id = $1", [user]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: "disk_warning", data: { disk_path: dir } });
    expect(rows[0]?.idempotency_key).toBe(
      `key:${user}:${diskWarningKey(user, first.options.host, dir, T0)}`,
    );
  });

  it("says when the server will not alert because its own disk threshold is higher", async () => {
    const user = randomUUID();
    const { agent, log } = agentFor([
      ...["--url", server.url, "--user", user, "--disk", dir, "--threshold", "1"],
    ]);
    await agent.step();
    expect(agent.outbox.size).toBe(0);
    expect(log.entries).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: "the server will not alert: the disk is below its own threshold, which is higher than --threshold",
      }),
    );
  });

  it("tails a training log and the server raises gpu_oom from the out-of-memory line", async () => {
    const user = randomUUID();
    const job = randomUUID();
    const created = await fetch(`${server.url}/api/training/jobs/${job}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${SERVICE_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ user_id: user, model_name: "llama-70b", status: "running" }),
    });
    expect(created.status).toBe(201);
    const file = path.join(dir, `train-${job}.log`);
    await writeFile(file, "");
    const { agent, clock, log } = agentFor([
      ...["--url", server.url, "--user", user, "--job", job, "--log", file],
    ]);
    await agent.step();
    await appendFile(
      file,
      [
        "step 120 loss 1.42",
        "Traceback (most recent call last):",
        '  File "train.py", line 88, in <module>',
        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.06 GiB is free.",
        "",
      ].join("\n"),
    );
    clock.now += 2000;
    await agent.step();
    expect(agent.outbox.size).toBe(0);
    expect(log.entries.map((e) => e.msg)).toContain(
      "the server recognised an out-of-memory error in the log",
    );
    const { rows } = await app.ctx.db.query<{ type: string; data: Record<string, unknown> }>(
      "select type, data from alert_events where job_id = $1 and type = 'gpu_oom'",
      [job],
    );
    expect(rows).toHaveLength(1);
    expect(String(rows[0]?.data.log_excerpt)).toContain("CUDA out of memory");
    await agent.close();
  });
});

describe("log tailing", () => {
  const logFile = (name: string) => path.join(dir, `${name}-${randomUUID()}.log`);

  it("picks up appended lines, and a line only once it is complete", async () => {
    const file = logFile("append");
    await writeFile(file, "old line from a previous run\n");
    const tail = new LogTail({ path: file });
    expect(await tail.poll()).toEqual([]);
    await appendFile(file, "step 1 loss 2.3\nstep 2 lo");
    expect(await tail.poll()).toEqual(["step 1 loss 2.3"]);
    await appendFile(file, "ss 2.1\n\n   \nstep 3 loss 2.0\n");
    expect(await tail.poll()).toEqual(["step 2 loss 2.1", "step 3 loss 2.0"]);
    expect(await tail.poll()).toEqual([]);
    await tail.close();
  });

  it("reads again from the start after the file is truncated in place", async () => {
    const file = logFile("truncate");
    await writeFile(file, "");
    const tail = new LogTail({ path: file });
    await tail.poll();
    await appendFile(file, "a long first line before logrotate copytruncate\nsecond\n");
    expect(await tail.poll()).toHaveLength(2);
    await truncate(file, 0);
    await appendFile(file, "after truncation\n");
    expect(await tail.poll()).toEqual(["after truncation"]);
    await tail.close();
  });

  it("after rotation, reads the old file to its end and then follows the new one", async () => {
    const file = logFile("rotate");
    await writeFile(file, "");
    const tail = new LogTail({ path: file });
    await tail.poll();
    await appendFile(file, "before rotation\nlast words of the old file");
    expect(await tail.poll()).toEqual(["before rotation"]);
    await rename(file, `${file}.1`);
    await writeFile(file, "first line of the new file\n");
    expect(await tail.poll()).toEqual(["last words of the old file", "first line of the new file"]);
    await appendFile(file, "more\n");
    expect(await tail.poll()).toEqual(["more"]);
    await tail.close();
  });

  it("waits for a log that does not exist yet and reads it from its start", async () => {
    const file = logFile("later");
    const tail = new LogTail({ path: file });
    expect(await tail.poll()).toEqual([]);
    await writeFile(file, "created after the agent started\n");
    expect(await tail.poll()).toEqual(["created after the agent started"]);
    await tail.close();
  });

  it("keeps what a terminal shows of a redrawn line, cuts overlong lines and decodes split UTF-8", async () => {
    const file = logFile("shapes");
    await writeFile(file, "");
    const tail = new LogTail({ path: file, maxLineLength: 50 });
    await tail.poll();
    await appendFile(file, " 10%|█    |\r 50%|███  |\r100%|█████|\r\n");
    await appendFile(file, `${"x".repeat(120)}`);
    expect(await tail.poll()).toEqual(["100%|█████|", "x".repeat(50)]);
    await appendFile(file, `${"y".repeat(30)}\nnext\n`);
    expect(await tail.poll()).toEqual(["next"]);
    const euro = Buffer.from("€ cost\n");
    await appendFile(file, euro.subarray(0, 1));
    expect(await tail.poll()).toEqual([]);
    await appendFile(file, euro.subarray(1));
    expect(await tail.poll()).toEqual(["€ cost"]);
    await tail.close();
  });

  it("sends new log lines to the job's /logs and reports what the server recognised", async () => {
    const api = await receiver((_req, n) => ({
      status: 200,
      body: JSON.stringify(
        n === 0 ? { oom: false } : { oom: true, signature: "pytorch_cuda", event_id: randomUUID() },
      ),
    }));
    const file = logFile("agent");
    await writeFile(file, "");
    const { agent, clock, log } = agentFor([
      "--url",
      api.url,
      "--job",
      JOB,
      "--log",
      file,
      "--log-interval",
      "2",
    ]);
    await agent.step();
    await appendFile(file, "epoch 1\nstep 10 loss 1.9\n");
    clock.now += 2000;
    await agent.step();
    await api.waitFor(1);
    expect(api.requests[0]?.url).toBe(`/api/training/jobs/${JOB}/logs`);
    expect(bodyOf(api.requests[0])).toEqual({ lines: ["epoch 1", "step 10 loss 1.9"] });

    await appendFile(file, "torch.OutOfMemoryError: CUDA out of memory.\n");
    clock.now += 2000;
    await agent.step();
    await api.waitFor(2);
    expect(bodyOf(api.requests[1])).toEqual({
      lines: ["torch.OutOfMemoryError: CUDA out of memory."],
    });
    expect(log.entries.find((e) => e.msg.includes("out-of-memory"))?.fields).toMatchObject({
      job_id: JOB,
      signature: "pytorch_cuda",
    });
    await agent.close();
  });

  it("splits a burst of lines into batches the API accepts", () => {
    const outbox = new Outbox();
    outbox.addLogLines(Array.from({ length: 2500 }, (_, i) => `line ${i}`));
    const sizes = outbox.logBatches.map((b) => b.lines.length);
    expect(sizes).toEqual([1000, 1000, 500]);
    outbox.addLogLines(Array.from({ length: 40 }, () => "z".repeat(15_000)));
    for (const batch of outbox.logBatches) {
      expect(batch.lines.length).toBeLessThanOrEqual(MAX_BATCH_LINES);
      expect(Buffer.byteLength(JSON.stringify({ lines: batch.lines }))).toBeLessThanOrEqual(
        MAX_BATCH_BYTES,
      );
    }
    // A line of control characters escapes to six bytes each; it is cut to fit.
    const fresh = new Outbox();
    fresh.addLogLines(["\u0001".repeat(16_000)]);
    expect(
      Buffer.byteLength(JSON.stringify({ lines: fresh.logBatches[0]?.lines })),
    ).toBeLessThanOrEqual(MAX_BATCH_BYTES);
  });
});

describe("delivery when the API misbehaves", () => {
  it("backs off after a 503, honours Retry-After, then delivers with the same key", async () => {
    const api = await receiver((_req, n) =>
      n === 0
        ? {
            status: 503,
            headers: { "retry-after": "7", "content-type": "application/problem+json" },
            body: JSON.stringify({ status: 503, title: "Service unavailable", detail: "retry" }),
          }
        : accepted(),
    );
    const { agent, clock, log } = agentFor(["--url", api.url, "--disk", dir, "--threshold", "1"]);
    const wait = await agent.step();
    expect(api.requests).toHaveLength(1);
    expect(agent.outbox.size).toBe(1);
    expect(wait).toBe(7000);
    expect(log.entries.at(-1)).toMatchObject({ level: "warn", fields: { status: 503 } });

    clock.now += 6999;
    await agent.step();
    expect(api.requests).toHaveLength(1);
    clock.now += 1;
    await agent.step();
    await api.waitFor(2);
    expect(agent.outbox.size).toBe(0);
    expect(api.requests[1]?.headers["idempotency-key"]).toBe(
      api.requests[0]?.headers["idempotency-key"],
    );
  });

  it("waits longer after each failure, with jitter, up to a cap", () => {
    const half = { random: () => 0.5 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, undefined, half))).toEqual([
      750, 1500, 3000, 6000,
    ]);
    expect(backoffDelay(40, undefined, half)).toBe(225_000);
    expect(backoffDelay(1, undefined, { random: () => 0 })).toBe(500);
    expect(backoffDelay(1, undefined, { random: () => 0.999999 })).toBe(1000);
    // Retry-After is a floor, and a silly one is capped.
    expect(backoffDelay(1, 30_000, half)).toBe(30_000);
    expect(backoffDelay(10, 1000, half)).toBe(225_000);
    expect(backoffDelay(1, 10 * 3_600_000, half)).toBe(3_600_000);
  });

  it("skips a request the API rejects and delivers the rest", async () => {
    const api = await receiver((req) =>
      req.url.endsWith("/logs")
        ? {
            status: 404,
            body: JSON.stringify({ status: 404, title: "Not found", detail: "No such job." }),
          }
        : accepted(),
    );
    const file = path.join(dir, `rejected-${randomUUID()}.log`);
    await writeFile(file, "");
    const { agent, clock, log } = agentFor([
      "--url",
      api.url,
      "--job",
      JOB,
      "--log",
      file,
      "--disk",
      dir,
      "--threshold",
      "1",
    ]);
    await agent.step();
    await appendFile(file, "a line for a job the server does not know\n");
    clock.now += 2000;
    await agent.step();
    await api.waitFor(2);
    expect(agent.outbox.size).toBe(0);
    expect(log.entries.find((e) => e.level === "error")?.msg).toBe(
      "log batch rejected, skipped: answered 404 Not found: No such job.",
    );
    await agent.close();
  });

  it("gives up an item after repeated 500s instead of blocking the queue for ever", async () => {
    const api = await receiver(() => ({ status: 500, body: "{}" }));
    const { agent, clock } = agentFor(["--url", api.url, "--disk", dir, "--threshold", "1"], {
      maxSuspectAttempts: 3,
    });
    for (let i = 0; i < 3; i++) {
      clock.now += await agent.step();
    }
    expect(api.requests).toHaveLength(3);
    expect(agent.outbox.size).toBe(0);
  });

  it("never throws out of the loop when the API is dead, and keeps the disk warning queued", async () => {
    const port = await deadPort();
    const clock = { now: T0 };
    const stop = new AbortController();
    const sleeps: number[] = [];
    const file = path.join(dir, `dead-${randomUUID()}.log`);
    await writeFile(file, "");
    const { agent, log } = agentFor(
      [
        "--url",
        `http://127.0.0.1:${port}`,
        "--job",
        JOB,
        "--log",
        file,
        "--disk",
        dir,
        "--threshold",
        "1",
      ],
      {
        now: () => clock.now,
        sleep: async (ms) => {
          sleeps.push(ms);
          clock.now += ms;
          if (sleeps.length === 3) await appendFile(file, "lines while the API is down\n");
          if (sleeps.length >= 40) stop.abort();
        },
      },
    );
    await expect(agent.run(stop.signal)).resolves.toBeUndefined();
    expect(agent.outbox.diskWarnings.map((w) => w.path)).toEqual([dir]);
    expect(agent.outbox.logBatches[0]?.lines).toEqual(["lines while the API is down"]);
    const failures = log.entries.filter((e) => e.msg.includes("could not reach the API"));
    expect(failures.length).toBeGreaterThan(3);
    const waits = failures.map((e) => (e.fields as { retry_in_ms: number }).retry_in_ms);
    expect(waits[3]).toBeGreaterThan(waits[0] ?? Number.POSITIVE_INFINITY);
    // Back-off waits grow, but the disk and the log keep being looked at.
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(60_000);
    await agent.close();
  });

  it("survives a server that hangs up without answering, or answers garbage", async () => {
    const api = await receiver((_req, n) =>
      n === 0 ? "drop" : { status: 200, body: "<html>a captive portal</html>" },
    );
    const { agent, clock, log } = agentFor(["--url", api.url, "--disk", dir, "--threshold", "1"]);
    clock.now += await agent.step();
    expect(agent.outbox.size).toBe(1);
    clock.now += await agent.step();
    await api.waitFor(2);
    expect(agent.outbox.size).toBe(0);
    expect(log.entries.at(-1)?.msg).toContain("not JSON");
  });

  it("drops the oldest log batches when the queue is full, never disk warnings", () => {
    const outbox = new Outbox({ maxLogBatches: 2 });
    outbox.putDiskWarning({ key: "k1", path: "/data", body: {} });
    outbox.addLogLines(Array.from({ length: 1000 }, () => "oldest"));
    outbox.addLogLines(Array.from({ length: 1000 }, () => "middle"));
    const report = outbox.addLogLines(["newest"]);
    expect(report).toEqual({ droppedBatches: 1, droppedLines: 1000 });
    expect(outbox.logBatches.map((b) => b.lines[0])).toEqual(["middle", "newest"]);
    expect(outbox.next()).toMatchObject({ kind: "disk_warning", path: "/data" });
    // A newer warning for the same path replaces the undelivered one.
    outbox.putDiskWarning({ key: "k2", path: "/data", body: {} });
    expect(outbox.diskWarnings.map((w) => w.key)).toEqual(["k2"]);
  });
});

describe("the command line", () => {
  it("reads the URL, key and threshold from the environment", () => {
    const options = parseAgentArgs(["--user", USER, "--disk", "/data", "--disk", "/scratch"], {
      ALERTS_URL: "http://alerts.internal:3000/",
      ALERTS_SERVICE_KEY: "key-from-env",
      ALERTS_DISK_THRESHOLD_PERCENT: "85",
    });
    expect(options).toMatchObject({
      url: "http://alerts.internal:3000",
      serviceKey: "key-from-env",
      disks: ["/data", "/scratch"],
      thresholdPercent: 85,
      diskIntervalMs: 60_000,
      once: false,
    });
  });

  it.each([
    [["--disk", "/data"], "--url"],
    [["--url", "http://x", "--key", "k", "--disk", "/d"], "--user"],
    [["--url", "http://x", "--key", "k", "--user", USER], "nothing to watch"],
    [["--url", "http://x", "--key", "k", "--user", USER, "--log", "t.log"], "--log needs --job"],
    [
      ["--url", "http://x", "--key", "k", "--user", USER, "--disk", "/", "--threshold", "0"],
      "above 0",
    ],
    [["--url", "http://x", "--key", "k", "--user", USER, "--disk", "/", "--bogus"], "bogus"],
  ])("refuses %j with a message naming %s", (argv, words) => {
    expect(() => parseAgentArgs(argv, {})).toThrow(UsageError);
    expect(() => parseAgentArgs(argv, {})).toThrow(words);
  });

  it("npm run agent -- --once posts a disk warning and the whole log, then exits 0", async () => {
    const api = await receiver((req) =>
      req.url.endsWith("/logs") ? { status: 200, body: '{"oom":false}' } : accepted(),
    );
    const file = path.join(dir, `once-${randomUUID()}.log`);
    await writeFile(file, "a finished run's log\n");
    const child = spawn(
      path.resolve("node_modules/.bin/tsx"),
      [
        "scripts/agent.ts",
        ...["--url", api.url, "--user", USER, "--disk", dir, "--threshold", "1"],
        ...["--job", JOB, "--log", file, "--once"],
      ],
      { env: { ...process.env, ALERTS_SERVICE_KEY: SERVICE_KEY, LOG_LEVEL: "silent" } },
    );
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    expect(api.requests.map((r) => r.url)).toEqual([
      "/api/alerts/events",
      `/api/training/jobs/${JOB}/logs`,
    ]);
    expect(bodyOf(api.requests[0])).toMatchObject({
      type: "disk_warning",
      data: { disk_path: dir },
    });
    expect(bodyOf(api.requests[1])).toEqual({ lines: ["a finished run's log"] });
  });

  /** Runs `npm run agent -- … --once` to its end: its exit code and what it printed. */
  async function runOnce(args: string[]): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(
      path.resolve("node_modules/.bin/tsx"),
      ["scripts/agent.ts", "--user", USER, ...args, "--once"],
      { env: { ...process.env, ALERTS_SERVICE_KEY: SERVICE_KEY, LOG_LEVEL: "silent" } },
    );
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const [code] = await once(child, "exit");
    return { code: code as number | null, stderr };
  }

  it("--once exits 1 and says so when the API refuses the log batch", async () => {
    const api = await receiver((req) =>
      req.url.endsWith("/logs")
        ? { status: 404, body: '{"title":"Not Found","detail":"No such job"}' }
        : accepted(),
    );
    const file = path.join(dir, `refused-${randomUUID()}.log`);
    await writeFile(file, "one line\n");
    const run = await runOnce(["--url", api.url, "--job", JOB, "--log", file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/log batch refused by the server \(404\)/);
    expect(api.requests.map((r) => r.url)).toEqual([`/api/training/jobs/${JOB}/logs`]);
  });

  it("--once exits 1 for a --disk or --log path that does not exist, naming it, and 0 when all is well", async () => {
    const api = await receiver(() => accepted());
    const gone = path.join(dir, `no-such-dir-${randomUUID()}`);
    const disk = await runOnce(["--url", api.url, "--disk", gone]);
    expect(disk.code).toBe(1);
    expect(disk.stderr).toContain(`--disk ${gone} does not exist`);

    const noLog = path.join(dir, `no-such-${randomUUID()}.log`);
    const log = await runOnce(["--url", api.url, "--job", JOB, "--log", noLog]);
    expect(log.code).toBe(1);
    expect(log.stderr).toContain(`--log ${noLog} does not exist`);

    const fine = await runOnce(["--url", api.url, "--disk", dir, "--threshold", "100"]);
    expect(fine.stderr).toContain("everything was delivered");
    expect(fine.code).toBe(0);
    expect(api.requests).toHaveLength(0);
  });

  it("npm run agent stops at once on SIGTERM, even while an API that is down asks it to wait an hour", async () => {
    // The API answers 503 with Retry-After: 3600; the agent would wait an
    // hour before its next try. SIGTERM must end it with one last try at
    // most, long before this test's own time limit.
    const api = await startReceiver(() => ({ status: 503, headers: { "retry-after": "3600" } }));
    try {
      const child = spawn(
        path.resolve("node_modules/.bin/tsx"),
        [
          "scripts/agent.ts",
          ...["--url", api.url, "--user", USER, "--disk", dir],
          ...["--threshold", "1"],
        ],
        { env: { ...process.env, ALERTS_SERVICE_KEY: SERVICE_KEY, LOG_LEVEL: "info" } },
      );
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      const exited = once(child, "exit");
      await waitOn("the agent to be told to wait", [[child.stdout, "data"]], () =>
        output.includes('"retry_in_ms":'),
      );
      expect(output).toMatch(/"retry_in_ms":3[56]\d{5}/);
      const triedBefore = api.requests.length;
      child.kill("SIGTERM");
      const [code] = await exited;
      expect(code).toBe(0);
      expect(api.requests.length - triedBefore).toBeLessThanOrEqual(1);
    } finally {
      await api.close();
    }
  });
});
