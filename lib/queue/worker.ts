import path from "node:path";
import type PgBoss from "pg-boss";
import { type EngineDeps, processInbox, sendRateLimitNotice } from "../alerts/alert.service";
import { createEmailTransport, type EmailTransport } from "../alerts/channels/email.channel";
import {
  type AttemptOutcome,
  type DeliveryDeps,
  releaseDue,
  runDelivery,
} from "../alerts/delivery.service";
import { sweepStalledJobs } from "../alerts/triggers/training-job.trigger";
import type { AppContext } from "../server/context";
import {
  type AlertQueue,
  type DeliveryJob,
  type NoticeJob,
  QUEUE,
  startQueue,
  WAKE_CHANNEL,
} from "./queue";
import { onWakeInbox } from "./wake";
import { setWorkerState } from "./worker-state";

const STALL_SWEEP_MS = 60_000;

export interface WorkerOptions {
  /** Delivery handlers polling in parallel in this process. Default 4. */
  concurrency?: number;
  /** Jobs each handler takes per fetch, sent concurrently. Default 5. */
  batchSize?: number;
  /** How often to look for work when no wake-up came. Default 1 s (the inbox) / 2 s (pg-boss). */
  pollMs?: number;
  email?: EmailTransport;
  deliveryOverrides?: Partial<DeliveryDeps>;
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
  const batchSize = options.batchSize ?? 5;

  const deliver = async (jobs: PgBoss.Job<DeliveryJob>[]) => {
    // A full batch says more are waiting: fetch again as soon as this one is
    // done, not after pg-boss's polling interval (a backlog would otherwise
    // drain at batchSize × concurrency jobs per interval).
    if (jobs.length >= batchSize) queue.wake();
    const outcomes = await Promise.all(
      jobs.map((job) => runDelivery(deps, job.data.delivery_id, job.data.attempt)),
    );
    // One line per batch says what this process sent: with several workers,
    // their logs show how the work was shared.
    const counts: Partial<Record<AttemptOutcome, number>> = {};
    for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
    ctx.log.info({ jobs: jobs.length, ...counts }, "delivery batch");
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

  // The inbox and the due-deliveries sweep: a loop that runs until there is
  // nothing left, then sleeps until woken (in process or by NOTIFY) or polled.
  let stopping = false;
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
  const loop = (async () => {
    while (!stopping) {
      try {
        const now = ctx.clock().getTime();
        if (now >= nextStallSweep) {
          nextStallSweep = now + STALL_SWEEP_MS;
          const raised = await sweepStalledJobs(ctx.db, new Date(now), ctx.config.timeoutMinutes);
          if (raised > 0) ctx.log.info({ raised }, "stalled jobs found");
        }
        const processed = await processInbox(engine);
        const released = await releaseDue(engine);
        if (processed > 0 || released > 0) continue;
      } catch (error) {
        ctx.log.warn({ err: error }, "inbox pass failed; retrying");
      }
      if (woken) {
        woken = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wakeLoop = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeLoop = undefined;
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
      email.close();
      setWorkerState("stopped");
    },
  };
}
