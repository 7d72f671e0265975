import { EventEmitter } from "node:events";
import path from "node:path";
import {
  type EngineDeps,
  INBOX_BATCH,
  processInbox,
  sendRateLimitNotice,
} from "../alerts/alert.service";
import { createEmailTransport, type EmailTransport } from "../alerts/channels/email.channel";
import { startDeliveryBatch } from "../alerts/delivery/deliver";
import type { DeliveryDeps } from "../alerts/delivery/delivery.types";
import { DestinationLimiter } from "../alerts/delivery/destination-limiter";
import { type AttemptOutcome, OutcomeRecorder } from "../alerts/delivery/record";
import type { AlertMetrics } from "../alerts/metrics.port";
import type { EngineEventMap, EngineEvents, EngineQueue } from "../alerts/ports";
import { scheduleDueReports } from "../alerts/report.service";
import { runRetention } from "../alerts/retention";
import { raiseFinishedSweeps } from "../alerts/triggers/group-completed.trigger";
import { resolveResumedStalls } from "../alerts/triggers/stall-resolved.trigger";
import { sweepStalledJobs } from "../alerts/triggers/training-job.trigger";
import { EMBEDDED_VACUUM_EVERY_MS, vacuumDatabase } from "../db/maintenance";
import { processMetrics } from "../metrics/registry";
import {
  type AlertQueue,
  type NoticeJob,
  QUEUE,
  REPORT_TICK_CRON,
  RETENTION_CRON,
  startQueue,
  WAKE_CHANNEL,
} from "../queue/queue";
import { onWakeInbox } from "../queue/wake";
import { setWorkerState } from "../queue/worker-state";
import type { AppContext } from "../server/context";
import { WakeSignal } from "./wake-signal";

const STALL_SWEEP_MS = 60_000;
/** How long a woken loop waits for more wake-ups before its pass. */
const WAKE_COALESCE_MS = 2;
/** How long the delivery loop waits for another send to finish before it claims a small batch. */
const ROOM_WAIT_MS = 20;

export interface WorkerOptions {
  /** Deliveries claimed per batch (one statement), sent concurrently. Default 50. */
  batchSize?: number;
  /** How often to look for work when no wake-up came. Default 1 s. */
  pollMs?: number;
  email?: EmailTransport;
  deliveryOverrides?: Partial<DeliveryDeps>;
  /** Sends in flight at once to one destination (webhook, or email) in this process. Default 4. */
  perDestination?: number;
  /** Sends in flight at once in this process. Default 64; 4× as many may wait to be recorded. */
  maxInFlight?: number;
  /**
   * Inbox loops in this process, each over its share of the users (a user's
   * events stay in order in one loop). Default 1: on the bench, 4 loops on
   * PostgreSQL gained about 5% deliveries/s and cost lone-alert latency
   * (p99 72–80 ms in two runs of three, against 15–21 ms), each wake-up
   * starting a pass in every loop. PGlite runs one statement at a time anyway.
   */
  inboxLoops?: number;
  /** Embedded (PGlite) only: how often to vacuum the database. Default 10 minutes. */
  vacuumEveryMs?: number;
  /**
   * The real-time clock, ms, that the vacuum interval runs on (not the app's
   * clock, which tests move by hours). Default `performance.now`.
   */
  elapsedMs?: () => number;
  /** Where the engine's counters go. Default this process's Prometheus registry. */
  metrics?: AlertMetrics;
}

export interface Worker {
  queue: AlertQueue;
  deps: DeliveryDeps;
  /** What the engine does, as it happens (`delivery:claimed`, `delivery:recorded`, `inbox:processed`…). */
  events: EngineEvents;
  /** Finishes in-flight work (pg-boss handlers get `timeoutMs`) and stops. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * The engine's composition root: wires the database, clock, queue wake-ups
 * and channels into the alert core, and runs its loops. The inbox loop turns
 * events into alerts; the delivery loop claims due deliveries from
 * `alert_deliveries` (its queue), sends them and records their outcomes;
 * pg-boss runs the cron-like work (the reports tick, rate-limit notices).
 * Any number may run against one PostgreSQL; PGlite allows exactly one process.
 */
export async function startWorker(ctx: AppContext, options: WorkerOptions = {}): Promise<Worker> {
  setWorkerState("starting");
  const queue = await startQueue({ db: ctx.db, log: ctx.log });
  const events: EngineEvents = new EventEmitter<EngineEventMap>();
  const deliverySignal = new WakeSignal();
  const engineQueue: EngineQueue = {
    notifyDeliveries: (tx) => queue.notifyDeliveries(tx),
    scheduleNotice: (tx, userId, after) => queue.scheduleNotice(tx, userId, after),
    wake: () => deliverySignal.wake(),
  };
  const engine: EngineDeps = {
    db: ctx.db,
    config: ctx.config,
    clock: ctx.clock,
    log: ctx.log,
    queue: engineQueue,
    events,
    metrics: options.metrics ?? processMetrics().port,
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
  const batchSize = options.batchSize ?? 50;
  let stopping = false;

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
  // Retention: one pass a day, whichever process takes the cron's job; the
  // pass deletes in short batches, so it may run beside the delivery work.
  if (ctx.config.retentionDays > 0) {
    await queue.boss.schedule(QUEUE.retention, RETENTION_CRON);
  } else {
    await queue.boss.unschedule(QUEUE.retention);
  }
  await queue.boss.work(QUEUE.retention, { pollingIntervalSeconds: 60 }, async () => {
    const started = performance.now();
    const result = await runRetention(ctx.db, ctx.clock(), { days: ctx.config.retentionDays });
    ctx.log.info(
      { ...result.deleted, batches: result.batches, ms: Math.round(performance.now() - started) },
      "retention pass",
    );
  });

  // The delivery loop. Sends run outside any transaction, guarded by their
  // lease; `maxInFlight` bounds them per process, `perDestination` per
  // destination. A full batch says more are due: claim again at once.
  // Otherwise sleep until a commit wakes the loop (in process, or NOTIFY
  // from another), a handed-back delivery falls due, or the poll.
  const limiter = new DestinationLimiter(options.perDestination ?? 4);
  const recorder = new OutcomeRecorder(deps);
  const maxInFlight = options.maxInFlight ?? 64;
  // Sends that are over wait a moment to be recorded together; meanwhile
  // their slots go to new sends, up to this many claimed and not yet recorded.
  const maxUnrecorded = 4 * maxInFlight;
  const inFlight = new Set<Promise<void>>();
  /** Sends in progress. */
  let sending = 0;
  /** Deliveries claimed and not yet recorded (sending, or waiting for the recorder). */
  let unrecorded = 0;
  const minClaim = Math.max(1, Math.floor(Math.min(batchSize, maxInFlight) / 2));
  const room = new WakeSignal();
  const onSent = () => {
    sending--;
    room.wake();
  };
  const track = (done: Promise<AttemptOutcome[]>, count: number, postponed: number) => {
    unrecorded += count;
    const settled: Promise<void> = done
      .then((outcomes) => {
        // One line per batch says what this process sent: with several
        // workers, their logs show how the work was shared.
        const counts: Partial<Record<AttemptOutcome | "postponed", number>> = {};
        for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
        if (postponed > 0) counts.postponed = postponed;
        ctx.log.info({ deliveries: count, ...counts }, "delivery batch");
      })
      .finally(() => {
        unrecorded -= count;
        inFlight.delete(settled);
        room.wake();
        // Room for more: the loop may be waiting for it.
        deliverySignal.wake();
      });
    inFlight.add(settled);
  };
  const deliveries = (async () => {
    while (!stopping) {
      let sleepMs = pollMs;
      try {
        const limit = Math.min(batchSize, maxInFlight - sending, maxUnrecorded - unrecorded);
        if (limit < 1) {
          await room.wait(pollMs);
          continue;
        }
        // A claim costs a transaction whatever its size: while sends keep
        // finishing, wait for room for half a batch; once none has finished
        // for ROOM_WAIT_MS (those left are slow), claim the room there is.
        if (limit < minClaim && (await room.wait(ROOM_WAIT_MS))) continue;
        const batch = await startDeliveryBatch(deps, { limit, limiter, recorder, onSent });
        sending += batch.sending;
        if (batch.sending > 0) track(batch.done, batch.sending, batch.postponed);
        if (batch.claimed >= limit) continue;
        if (batch.nextDueAt)
          sleepMs = Math.min(sleepMs, batch.nextDueAt.getTime() - ctx.clock().getTime() + 5);
      } catch (error) {
        ctx.log.warn({ err: error }, "delivery pass failed; retrying");
      }
      if (stopping) break;
      if (await deliverySignal.wait(sleepMs)) await delay(WAKE_COALESCE_MS);
    }
  })();

  // The inbox loops (the first also runs the stall watch and the embedded
  // vacuum, on the app's clock): each runs until its share of the inbox is
  // empty, then sleeps until woken (in process or by NOTIFY) or polled.
  // The stall watch runs about once a minute in every worker; its events'
  // idempotency keys make concurrent sweeps harmless.
  let nextStallSweep = 0;
  // PGlite has no autovacuum: the embedded worker vacuums, on real time.
  const vacuumEveryMs =
    ctx.db.kind === "pglite" ? (options.vacuumEveryMs ?? EMBEDDED_VACUUM_EVERY_MS) : undefined;
  const elapsedMs = options.elapsedMs ?? (() => performance.now());
  let nextVacuum = elapsedMs() + (vacuumEveryMs ?? 0);
  const chores = async () => {
    const now = ctx.clock().getTime();
    if (now >= nextStallSweep) {
      nextStallSweep = now + STALL_SWEEP_MS;
      const raised = await sweepStalledJobs(ctx.db, new Date(now), ctx.config.timeoutMinutes);
      if (raised > 0) ctx.log.info({ raised }, "stalled jobs found");
      const resumed = await resolveResumedStalls(engine, new Date(now));
      if (resumed > 0) ctx.log.info({ resumed }, "stalled jobs progressing again");
      const sweeps = await raiseFinishedSweeps(ctx.db, new Date(now));
      if (sweeps > 0) ctx.log.info({ sweeps }, "finished sweeps summarised");
    }
    if (vacuumEveryMs !== undefined && elapsedMs() >= nextVacuum) {
      nextVacuum = elapsedMs() + vacuumEveryMs;
      const ms = Math.round(await vacuumDatabase(ctx.db));
      ctx.log.info({ ms }, "database vacuumed");
      events.emit("maintenance:vacuumed", { ms });
    }
  };
  const loops = Math.max(1, options.inboxLoops ?? 1);
  const inboxSignals = Array.from({ length: loops }, () => new WakeSignal());
  const wakeInbox = () => {
    for (const signal of inboxSignals) signal.wake();
  };
  const inbox = inboxSignals.map(async (signal, index) => {
    const partition = { count: loops, index };
    while (!stopping) {
      try {
        if (index === 0) await chores();
        // A full batch says more are waiting; anything that arrived after a
        // pass's claim woke the loop (in process or by NOTIFY).
        if ((await processInbox(engine, INBOX_BATCH, partition)) >= INBOX_BATCH) continue;
      } catch (error) {
        ctx.log.warn({ err: error }, "inbox pass failed; retrying");
      }
      if (stopping) break;
      // The wake-ups of one event (the route's and its NOTIFY) and of events
      // arriving together make one pass.
      if (await signal.wait(pollMs)) await delay(WAKE_COALESCE_MS);
    }
  });

  const offWake = onWakeInbox(wakeInbox);
  const unlisten = await ctx.db.listen(WAKE_CHANNEL, (payload) => {
    if (payload === "deliver") deliverySignal.wake();
    else wakeInbox();
  });
  setWorkerState("running");
  ctx.log.info({ engine: ctx.db.kind }, "worker started");

  return {
    queue,
    deps,
    events,
    async stop(timeoutMs = ctx.config.workerGraceMs) {
      setWorkerState("stopping");
      stopping = true;
      wakeInbox();
      deliverySignal.wake();
      room.wake();
      offWake();
      await unlisten();
      await Promise.all([...inbox, deliveries]);
      await queue.stop({ graceful: true, timeoutMs });
      // Sends already claimed finish (each is bounded by its own time limit) and are recorded.
      while (inFlight.size > 0) await Promise.all(inFlight);
      email.close();
      setWorkerState("stopped");
    },
  };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
