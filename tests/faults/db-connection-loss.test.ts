import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isConnectionError } from "@/lib/db/connection-errors";
import { createPgDb } from "@/lib/db/pg";
import type { Db } from "@/lib/db/types";
import { QUEUE, startQueue } from "@/lib/queue/queue";
import { createPgCluster, type PgCluster } from "../helpers/pg-cluster";
import { waitUntil } from "../helpers/wait";

// What lib/db/pg.ts and the queue do when PostgreSQL drops their connections:
// on a server of the test's own, which it stops and whose backends it kills.
// A connection error nobody listens for, or a rejection nobody handles,
// fails the file (vitest reports it) — as it would kill a real process.

let cluster: PgCluster;
let url: string;
let admin: Db;
let db: Db;
/** Errors `db` reported for connections it lost or could not open. */
const lost: Error[] = [];

beforeAll(async () => {
  cluster = await createPgCluster();
  url = await cluster.createDatabase("conn");
  admin = createPgDb({ connectionString: url, max: 1, onIdleError: () => {} });
  db = createPgDb({
    connectionString: url,
    max: 3,
    onIdleError: (error) => lost.push(error),
  });
}, 60_000);

afterAll(async () => {
  await db?.close().catch(() => {});
  await admin?.close().catch(() => {});
  await cluster?.drop();
});

async function terminate(pid: number): Promise<void> {
  await admin.query("select pg_terminate_backend($1)", [pid]);
  await waitUntil("the backend to be gone", async () => {
    const { rows } = await admin.query("select 1 from pg_stat_activity where pid = $1", [pid]);
    return rows.length === 0;
  });
}

/** Backends whose last statement was LISTEN on `channel`. */
async function listeners(channel: string): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    "select pid from pg_stat_activity where query = $1",
    [`listen "${channel}"`],
  );
  return rows.map((r) => r.pid);
}

/** Sends NOTIFYs until one arrives (a listener that just reconnected may miss the first). */
async function notifyUntilHeard(channel: string, heard: string[]): Promise<void> {
  await waitUntil(
    `a notification on ${channel} to arrive`,
    async () => {
      const payload = randomUUID();
      await db.query("select pg_notify($1, $2)", [channel, payload]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return heard.includes(payload);
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}

function capturedLog() {
  const records: { msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        records.push(JSON.parse(line) as { msg: string });
      }
      done();
    },
  });
  return { log: pino({ level: "info" }, stream), records };
}

describe("a transaction whose connection the server closes", () => {
  it("between statements: fails with the connection's error, and the next query runs on a new connection", async () => {
    const failure = db.transaction(async (tx) => {
      const { rows } = await tx.query<{ pid: number }>("select pg_backend_pid() as pid");
      await terminate(rows[0]?.pid ?? 0);
      await tx.query("select 1");
    });
    await expect(failure).rejects.toSatisfy(isConnectionError);
    await expect(failure).rejects.toMatchObject({ code: "57P01" });
    const { rows } = await db.query<{ one: number }>("select 1 as one");
    expect(rows).toEqual([{ one: 1 }]);
  });

  it("while a statement runs: fails with the connection's error, and the pool carries on", async () => {
    // Its error is taken at once: it arrives while the test is still killing the backend.
    const failure = db
      .transaction(async (tx) => {
        await tx.query("select pg_sleep(30)");
      })
      .then(
        () => new Error("the transaction committed"),
        (error: unknown) => error,
      );
    const pid = await waitUntil("the statement to run", async () => {
      const { rows } = await admin.query<{ pid: number }>(
        "select pid from pg_stat_activity where query = 'select pg_sleep(30)' and state = 'active'",
      );
      return rows[0]?.pid;
    });
    await terminate(pid);
    expect(isConnectionError(await failure), String(await failure)).toBe(true);
    const done = await db.transaction(async (tx) => (await tx.query("select 2 as two")).rows);
    expect(done).toEqual([{ two: 2 }]);
  });
});

describe("LISTEN", () => {
  it("is resumed on one new connection after its connection is terminated", async () => {
    const channel = "conn_loss_terminated";
    const heard: string[] = [];
    const unlisten = await db.listen(channel, (payload) => heard.push(payload));
    const [before] = await listeners(channel);
    expect(before).toBeDefined();
    await terminate(before ?? 0);

    await notifyUntilHeard(channel, heard);
    const after = await listeners(channel);
    expect(after).toHaveLength(1);
    expect(after).not.toContain(before);

    await unlisten();
    await waitUntil("the listening connection to close", async () => {
      return (await listeners(channel)).length === 0;
    });
  });

  it("is resumed on exactly one connection after the server was stopped through several reconnect attempts", async () => {
    const channel = "conn_loss_stopped";
    const heard: string[] = [];
    const unlisten = await db.listen(channel, (payload) => heard.push(payload));
    await notifyUntilHeard(channel, heard);

    const since = lost.length;
    await cluster.stop();
    // LISTEN's attempts to open a new connection (nothing else connects meanwhile).
    await waitUntil(
      "several reconnect attempts to be refused",
      () =>
        lost.slice(since).filter((e) => (e as { code?: string }).code === "ECONNREFUSED").length >=
        3,
      { timeoutMs: 60_000 },
    );
    await cluster.start();

    await notifyUntilHeard(channel, heard);
    expect(await listeners(channel)).toHaveLength(1);
    await unlisten();
  });
});

describe("pg-boss on a server that goes away", () => {
  it("completes a job whose handler returned while the server was down once it is back, without an unhandled rejection", async () => {
    const { log, records } = capturedLog();
    const queue = await startQueue({ db, log, supervise: false });
    await queue.boss.send(QUEUE.notice, { delivery_id: randomUUID(), attempt: 0 });
    let ran = 0;
    await queue.boss.work(QUEUE.notice, { pollingIntervalSeconds: 0.5 }, async () => {
      ran++;
      // The handler succeeds, but the server is gone before pg-boss records it.
      await cluster.stop();
    });

    await waitUntil(
      "pg-boss to wait for the database",
      () => records.some((r) => r.msg === "queue cannot reach the database; waiting for it"),
      { timeoutMs: 60_000 },
    );
    await cluster.start();

    const state = await waitUntil(
      "the job to be completed",
      async () => {
        const { rows } = await admin.query<{ state: string }>(
          "select state from pgboss.job where name = $1",
          [QUEUE.notice],
        );
        return rows[0]?.state === "completed" && rows.map((r) => r.state);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(state).toEqual(["completed"]);
    expect(ran).toBe(1);
    expect(records.some((r) => r.msg === "queue reached the database again")).toBe(true);
    await queue.stop({ timeoutMs: 5_000 });
  });
});
