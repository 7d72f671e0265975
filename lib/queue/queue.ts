import { setTimeout as delay } from "node:timers/promises";
import PgBoss from "pg-boss";
import type { Db, Queryable } from "../db/types";
import type { Logger } from "../server/log";
import { bossDb } from "./boss-db";

/** pg-boss queue names. */
export const QUEUE = {
  /** The rate-limit notice of one user, at most one waiting: `{ user_id }`. */
  notice: "alerts-notice",
  /** The reports scheduler's tick, once a minute by pg-boss cron; no data. */
  reportTick: "alerts-report-tick",
  /** The retention pass (ALERTS_RETENTION_DAYS), once a day by pg-boss cron; no data. */
  retention: "alerts-retention",
} as const;

/** Cron of the reports tick: every minute (the tick itself works out who is due). */
export const REPORT_TICK_CRON = "* * * * *";

/**
 * The pg-boss queue that carried one job per delivery attempt before the
 * deliveries table became the queue. Start-up deletes it: the rows hold every
 * delivery's state, so its jobs are redundant (README, Upgrading).
 */
export const LEGACY_DELIVER_QUEUE = "alerts-deliver";

/** Cron of the retention pass: daily at 03:17 UTC, a quiet hour away from the full hour's crons. */
export const RETENTION_CRON = "17 3 * * *";

/** The NOTIFY channel that wakes workers in other processes. */
export const WAKE_CHANNEL = "training_alerts_wake";

/**
 * Wakes the delivery workers of every process (this one's too, by LISTEN) at
 * the commit of `tx`: for a transaction that made deliveries due.
 */
export async function notifyDeliveries(tx: Queryable): Promise<void> {
  await tx.query("select pg_notify($1, 'deliver')", [WAKE_CHANNEL]);
}

export interface NoticeJob {
  user_id: string;
}

/**
 * pg-boss for the cron-like work (the reports tick, the rate-limit notice),
 * and the cross-process wake-up of delivery workers. Deliveries themselves
 * are not pg-boss jobs: `alert_deliveries` is their queue.
 */
export interface AlertQueue {
  readonly boss: PgBoss;
  /** Wakes delivery workers in other processes when `tx` commits. */
  notifyDeliveries(tx: Queryable): Promise<void>;
  /** Schedules the user's rate-limit notice, unless one is already waiting. */
  scheduleNotice(tx: Queryable, userId: string, startAfterSeconds: number): Promise<void>;
  stop(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
  /** Waits (up to `timeoutMs`) until none of pg-boss's own statements is in flight. */
  settle(timeoutMs?: number): Promise<void>;
}

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
    await discardLegacyDeliveryQueue(boss, db, log);
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
    // A pass that fails or is missed is simply done by the next day's.
    await boss.createQueue(QUEUE.retention, {
      name: QUEUE.retention,
      policy: "short",
      retryLimit: 0,
      expireInSeconds: 3600,
    });
  });
  const settle = async (timeoutMs = 5_000) => {
    const deadline = Date.now() + timeoutMs;
    while (statements > 0 && Date.now() < deadline) await delay(20);
  };
  return {
    boss,
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
    settle,
    async stop({ graceful = true, timeoutMs = 15_000 } = {}) {
      stopping = true;
      await boss.stop({ graceful, wait: true, timeout: timeoutMs, close: false });
      await settle();
    },
  };
}

/**
 * The upgrade from pg-boss delivery jobs: each job only pointed at a delivery
 * row, which holds the state (pending, sending under a lease, retrying at
 * `next_attempt_at`), and migration 0009 made every pending row due. So the
 * old queue's jobs are deleted, not run: a row whose job was waiting is
 * claimed from the table, and one that an old worker was sending stays
 * leased until its outcome is recorded or the lease runs out — sent once.
 */
async function discardLegacyDeliveryQueue(boss: PgBoss, db: Db, log: Logger): Promise<void> {
  if (!(await boss.getQueue(LEGACY_DELIVER_QUEUE))) return;
  // pg-boss refuses to delete a queue that still has jobs (in any state).
  await db.query("delete from pgboss.job where name = $1", [LEGACY_DELIVER_QUEUE]);
  await boss.deleteQueue(LEGACY_DELIVER_QUEUE);
  log.info(
    { queue: LEGACY_DELIVER_QUEUE },
    "deleted the old pg-boss delivery queue; deliveries are claimed from alert_deliveries",
  );
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
