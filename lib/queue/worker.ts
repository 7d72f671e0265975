import path from "node:path";
import type PgBoss from "pg-boss";
import {
  type EngineDeps,
  INBOX_BATCH,
  processInbox,
  sendRateLimitNotice,
} from "../alerts/alert.service";
import { createEmailTransport, type EmailTransport } from "../alerts/channels/email.channel";
import {
  type AttemptOutcome,
  type DeliveryDeps,
  OutcomeRecorder,
  POSTPONE_MS,
  RELEASE_BATCH,
  releaseDue,
  startDeliveryBatch,
} from "../alerts/delivery.service";
import { scheduleDueReports } from "../alerts/report.service";
import { sweepStalledJobs } from "../alerts/triggers/training-job.trigger";
import { EMBEDDED_VACUUM_EVERY_MS, vacuumDatabase } from "../db/maintenance";
import type { AppContext } from "../server/context";
import { DestinationLimiter } from "./destination-limiter";
import {
  type AlertQueue,
  type DeliveryJob,
  type NoticeJob,
  QUEUE,
  REPORT_TICK_CRON,
  startQueue,
  WAKE_CHANNEL,
} from "./queue";
import { onWakeInbox, wakeInbox } from "./wake";
import { setWorkerState } from "./worker-state";

const STALL_SWEEP_MS = 60_000;
/** How often a busy loop looks for due deliveries (real time; a quiet one looks at each poll). */
const RELEASE_EVERY_MS = 250;
/** How long a woken loop waits for more wake-ups before its pass. */
const WAKE_COALESCE_MS = 2;

export interface WorkerOptions {
  /** Delivery handlers polling in parallel in this process. Default 4. */
  concurrency?: number;
  /** Jobs each handler takes per fetch, claimed in one statement and sent concurrently. Default 20. */
  batchSize?: number;
  /** How often to look for work when no wake-up came. Default 1 s (the inbox) / 2 s (pg-boss). */
  pollMs?: number;
  email?: EmailTransport;
  deliveryOverrides?: Partial<DeliveryDeps>;
  /** Sends in flight at once to one destination (webhook, or email) in this process. Default 4. */
  perDestination?: number;
  /** Sends in flight at once in this process. Default 64. */
  maxInFlight?: number;
  /** Embedded (PGlite) only: how often to vacuum the database. Default 10 minutes. */
  vacuumEveryMs?: number;
}

export interface Worker {
  queue: AlertQueue;
  deps: DeliveryDeps;
  /** Finishes in-flight work (or releases it after `timeoutMs`) and stops. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * The delivery worker: turns inbox events into alerts, sends deliveries,
 * releases deferred and retried deliveries when due, sends rate-limit notices.
 * Any number may run against one PostgreSQL; PGlite allows exactly one process.
 */
export async function startWorker(ctx: AppContext, options: WorkerOptions = {}): Promise<Worker> {
  setWorkerState("starting");
  const queue = await startQueue({ db: ctx.db, log: ctx.log });
  const engine: EngineDeps = {
    db: ctx.db,
    config: ctx.config,
    clock: ctx.clock,
    log: ctx.log,
    queue,
  };
  const email =
    options.email ??
    createEmailTransport({
      smtpUrl: ctx.config.smtpUrl,
      from: ctx.config.emailFrom,
      outboxDir: path.resolve(ctx.config.dataDir, "outbox"),
    });
  const deps: DeliveryDeps = { ...engine, email, ...options.deliveryOverrides };
  const pollMs = options.pollMs ?? 1000;
  const batchSize = options.batchSize ?? 20;

  // Sends run after their queue job completes (the delivery's lease guards
  // them from then on), so a slow receiver never holds a queue handler. What
  // bounds them: `maxInFlight` per process, `perDestination` per destination.
  const limiter = new DestinationLimiter(options.perDestination ?? 4);
  const recorder = new OutcomeRecorder(deps);
  const maxInFlight = options.maxInFlight ?? 64;
  const inFlight = new Set<Promise<void>>();
  let sending = 0;
  // Handlers running: pg-boss may still hand over jobs that a fetch in
  // progress at stop() returns (it counts only handed-over jobs as work in
  // progress), so stop() waits for those handlers as well.
  let stopping = false;
  let handling = 0;
  const deliver = async (jobs: PgBoss.Job<DeliveryJob>[]) => {
    handling++;
    try {
      await handle(jobs);
    } finally {
      handling--;
    }
  };
  const handle = async (jobs: PgBoss.Job<DeliveryJob>[]) => {
    // A full batch says more are waiting: fetch again as soon as this one is
    // claimed, not after pg-boss's polling interval (a backlog would otherwise
    // drain at batchSize × concurrency jobs per interval).
    if (jobs.length >= batchSize) queue.wake();
    while (sending >= maxInFlight && inFlight.size > 0) await Promise.race(inFlight);
    const batch = await startDeliveryBatch(
      deps,
      jobs.map((job) => job.data),
      { limiter, recorder },
    );
    // Deliveries over their destination's cap come back after a short wait.
    if (batch.postponed > 0) setTimeout(wakeInbox, POSTPONE_MS + 50).unref();
    sending += batch.sending;
    const settled: Promise<void> = batch.done
      .then((outcomes) => {
        // One line per batch says what this process sent: with several
        // workers, their logs show how the work was shared.
        const counts: Partial<Record<AttemptOutcome | "postponed", number>> = {};
        for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
        if (batch.stale > 0) counts.stale = (counts.stale ?? 0) + batch.stale;
        if (batch.postponed > 0) counts.postponed = batch.postponed;
        ctx.log.info({ jobs: jobs.length, ...counts }, "delivery batch");
      })
      .finally(() => {
        sending -= batch.sending;
        inFlight.delete(settled);
      });
    inFlight.add(settled);
  };
  for (let i = 0; i < (options.concurrency ?? 4); i++) {
    const id = await queue.boss.work<DeliveryJob>(
      QUEUE.deliver,
      { batchSize, pollingIntervalSeconds: 2 },
      deliver,
    );
    queue.addWorker(id);
  }
  await queue.boss.work<NoticeJob>(QUEUE.notice, { pollingIntervalSeconds: 30 }, async ([job]) => {
    if (job) await sendRateLimitNotice(engine, job.data.user_id);
  });
  // Scheduled reports: one cron tick a minute for all users (pg-boss sends
  // each minute's tick once, whichever process's clock gets there first);
  // the tick claims each due report exactly once, whoever runs it.
  await queue.boss.schedule(QUEUE.reportTick, REPORT_TICK_CRON);
  await queue.boss.work(QUEUE.reportTick, { pollingIntervalSeconds: 5 }, async () => {
    try {
      const result = await scheduleDueReports(engine, ctx.clock());
      if (result.claimed > 0) ctx.log.info(result, "reports tick");
    } catch (error) {
      // The failing batch rolled back (its reports are not claimed): the next minute's tick tries again.
      ctx.log.error({ err: error }, "reports tick failed");
      throw error;
    }
  });

  // The inbox and the due-deliveries sweep: a loop that runs until there is
  // nothing left, then sleeps until woken (in process or by NOTIFY) or polled.
  let wakeLoop: (() => void) | undefined;
  // A wake-up that arrives mid-pass must not be lost: the pass may have read the inbox already.
  let woken = false;
  const wake = () => {
    woken = true;
    wakeLoop?.();
  };
  // The stall watch runs about once a minute in every worker; its events'
  // idempotency keys make concurrent sweeps harmless.
  let nextStallSweep = 0;
  let nextRelease = 0;
  let releaseSkipped = false;
  // PGlite has no autovacuum: the embedded worker vacuums, on real time.
  const vacuumEveryMs =
    ctx.db.kind === "pglite" ? (options.vacuumEveryMs ?? EMBEDDED_VACUUM_EVERY_MS) : undefined;
  let nextVacuum = performance.now() + (vacuumEveryMs ?? 0);
  const loop = (async () => {
    while (!stopping) {
      try {
        const now = ctx.clock().getTime();
        if (now >= nextStallSweep) {
          nextStallSweep = now + STALL_SWEEP_MS;
          const raised = await sweepStalledJobs(ctx.db, new Date(now), ctx.config.timeoutMinutes);
          if (raised > 0) ctx.log.info({ raised }, "stalled jobs found");
        }
        if (vacuumEveryMs !== undefined && performance.now() >= nextVacuum) {
          nextVacuum = performance.now() + vacuumEveryMs;
          ctx.log.info({ ms: Math.round(await vacuumDatabase(ctx.db)) }, "database vacuumed");
        }
        const processed = await processInbox(engine);
        // Due deliveries are looked for a few times a second, not on every
        // pass: under a stream of events, passes come one per event.
        let released = 0;
        releaseSkipped = performance.now() < nextRelease;
        if (!releaseSkipped) {
          released = await releaseDue(engine);
          nextRelease = released >= RELEASE_BATCH ? 0 : performance.now() + RELEASE_EVERY_MS;
        }
        // A full batch says more are waiting. Anything that arrived after a
        // pass's claim woke the loop (in process or by NOTIFY).
        if (processed >= INBOX_BATCH || released >= RELEASE_BATCH) continue;
      } catch (error) {
        ctx.log.warn({ err: error }, "inbox pass failed; retrying");
      }
      if (woken) {
        woken = false;
        continue;
      }
      const byWake = await new Promise<boolean>((resolve) => {
        // A busy loop that skipped the due sweep comes back for it.
        const sweepIn = releaseSkipped ? nextRelease - performance.now() : pollMs;
        const timer = setTimeout(() => resolve(false), Math.max(0, Math.min(pollMs, sweepIn)));
        wakeLoop = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      wakeLoop = undefined;
      // The wake-ups of one event (the route's and its NOTIFY) and of events
      // arriving together make one pass.
      if (byWake) await new Promise((resolve) => setTimeout(resolve, WAKE_COALESCE_MS));
      else nextRelease = 0;
      woken = false;
    }
  })();

  const offWake = onWakeInbox(wake);
  const unlisten = await ctx.db.listen(WAKE_CHANNEL, (payload) => {
    if (payload === "deliver") queue.wake();
    else wake();
  });
  setWorkerState("running");
  ctx.log.info({ engine: ctx.db.kind }, "worker started");

  return {
    queue,
    deps,
    async stop(timeoutMs = 15_000) {
      setWorkerState("stopping");
      stopping = true;
      wake();
      offWake();
      await unlisten();
      await loop;
      await queue.stop({ graceful: true, timeoutMs });
      while (handling > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      // Sends already claimed finish (each is bounded by its own timeout).
      await Promise.all(inFlight);
      // pg-boss completes handled jobs without waiting: let that land too.
      await queue.settle();
      email.close();
      setWorkerState("stopped");
    },
  };
}
