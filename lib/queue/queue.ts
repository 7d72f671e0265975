import { setTimeout as delay } from "node:timers/promises";
import PgBoss from "pg-boss";
import type { Db, Queryable } from "../db/types";
import type { Logger } from "../server/log";
import { bossDb } from "./boss-db";

/** pg-boss queue names. */
export const QUEUE = {
  /** One job per delivery attempt: `{ delivery_id, attempt }`. */
  deliver: "alerts-deliver",
  /** The rate-limit notice of one user, at most one waiting: `{ user_id }`. */
  notice: "alerts-notice",
  /** The reports scheduler's tick, once a minute by pg-boss cron; no data. */
  reportTick: "alerts-report-tick",
} as const;

/** Cron of the reports tick: every minute (the tick itself works out who is due). */
export const REPORT_TICK_CRON = "* * * * *";

/** The NOTIFY channel that wakes workers in other processes. */
export const WAKE_CHANNEL = "training_alerts_wake";

export interface DeliveryJob {
  delivery_id: string;
  /** The delivery's attempt count when the job was made; a stale job finds it changed. */
  attempt: number;
}

export interface NoticeJob {
  user_id: string;
}

/** What the engine needs of the queue; everything is enqueued inside the caller's transaction. */
export interface AlertQueue {
  readonly boss: PgBoss;
  /**
   * Enqueues delivery jobs in the caller's transaction and, unless told not
   * to, NOTIFYs workers in other processes at its commit. A caller enqueuing
   * many times in one transaction notifies once itself (`notifyDeliveries`).
   */
  enqueueDeliveries(
    tx: Queryable,
    jobs: DeliveryJob[],
    options?: { notify?: boolean },
  ): Promise<void>;
  /** Wakes delivery workers in other processes when `tx` commits. */
  notifyDeliveries(tx: Queryable): Promise<void>;
  /** Schedules the user's rate-limit notice, unless one is already waiting. */
  scheduleNotice(tx: Queryable, userId: string, startAfterSeconds: number): Promise<void>;
  /** Wakes this process's delivery workers now (after a commit). */
  wake(): void;
  /** Registers a worker id for in-process wake-ups. */
  addWorker(id: string): void;
  stop(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
  /** Waits (up to `timeoutMs`) until none of pg-boss's own statements is in flight. */
  settle(timeoutMs?: number): Promise<void>;
}

// A delivery attempt takes at most 10 s; a job still active after this was
// held by a process that died, and pg-boss hands it out again.
const DELIVERY_EXPIRE_SECONDS = 60;

export interface QueueOptions {
  db: Db;
  log: Logger;
  /** Run pg-boss maintenance and cron in this process. Default true. */
  supervise?: boolean;
}

/** Starts pg-boss on our database (PostgreSQL or PGlite) and creates the queues. */
export async function startQueue({ db, log, supervise = true }: QueueOptions): Promise<AlertQueue> {
  let stopping = false;
  // pg-boss's own statements in flight: a fetch still running when stop()
  // is called hands its jobs to a handler afterwards (pg-boss counts only
  // handed-over jobs as work in progress), so stop() waits for them too.
  let statements = 0;
  const base = bossDb(db, db.kind === "pg" ? { log, stopping: () => stopping } : undefined);
  const boss = new PgBoss({
    // pg-boss's own statements wait out a database restart (see bossDb).
    db: {
      async executeSql(text, values) {
        statements++;
        try {
          return await base.executeSql(text, values);
        } finally {
          statements--;
        }
      },
    },
    schema: "pgboss",
    supervise,
    schedule: supervise,
    migrate: true,
  });
  boss.on("error", (error) => log.error({ err: error }, "queue error"));
  await oneAtATime(db, async () => {
    await boss.start();
    await boss.createQueue(QUEUE.deliver, {
      name: QUEUE.deliver,
      policy: "standard",
      retryLimit: 5,
      retryDelay: 2,
      retryBackoff: true,
      expireInSeconds: DELIVERY_EXPIRE_SECONDS,
    });
    await boss.createQueue(QUEUE.notice, {
      name: QUEUE.notice,
      policy: "short",
      retryLimit: 5,
      retryDelay: 30,
    });
    // At most one tick waits: after downtime one catches up on everything,
    // and a tick that failed is simply superseded by the next minute's.
    await boss.createQueue(QUEUE.reportTick, {
      name: QUEUE.reportTick,
      policy: "short",
      retryLimit: 0,
      expireInSeconds: 600,
    });
  });
  const workerIds: string[] = [];
  const settle = async (timeoutMs = 5_000) => {
    const deadline = Date.now() + timeoutMs;
    while (statements > 0 && Date.now() < deadline) await delay(20);
  };
  const notifyDeliveries = async (tx: Queryable) => {
    await tx.query("select pg_notify($1, 'deliver')", [WAKE_CHANNEL]);
  };
  return {
    boss,
    async enqueueDeliveries(tx, jobs, { notify = true } = {}) {
      if (jobs.length === 0) return;
      await boss.insert(
        jobs.map((data) => ({ name: QUEUE.deliver, data })),
        { db: bossDb(tx) },
      );
      if (notify) await notifyDeliveries(tx);
    },
    notifyDeliveries,
    async scheduleNotice(tx, userId, startAfterSeconds) {
      await boss.send(
        QUEUE.notice,
        { user_id: userId },
        {
          singletonKey: userId,
          startAfter: Math.max(1, Math.ceil(startAfterSeconds)),
          db: bossDb(tx),
        },
      );
    },
    wake() {
      for (const id of workerIds) boss.notifyWorker(id);
    },
    addWorker(id) {
      workerIds.push(id);
    },
    settle,
    async stop({ graceful = true, timeoutMs = 15_000 } = {}) {
      stopping = true;
      await boss.stop({ graceful, wait: true, timeout: timeoutMs, close: false });
      await settle();
    },
  };
}

/**
 * Runs pg-boss's start-up with a lock that processes starting together on
 * PostgreSQL take in turn. On a fresh database, pg-boss's own install and
 * create_queue (DDL) race: one worker fails with a duplicate key on its
 * schema or a deadlock on the queue's partition. The lock is held by a
 * transaction of its own while pg-boss uses other connections; PGlite has
 * one process, and one connection that the transaction would hold.
 */
async function oneAtATime(db: Db, start: () => Promise<void>): Promise<void> {
  if (db.kind !== "pg") return start();
  await db.transaction(async (tx) => {
    // 7394001: this service's advisory locks (1 is the migration runner's).
    await tx.query("select pg_advisory_xact_lock(7394001, 2)");
    await start();
  });
}
