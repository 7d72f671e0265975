import type PgBoss from "pg-boss";
import { type EngineDeps, processInbox } from "@/lib/alerts/alert.service";
import { createEmailTransport } from "@/lib/alerts/channels/email.channel";
import { type DeliveryDeps, releaseDue, startDeliveryBatch } from "@/lib/alerts/delivery.service";
import { type DeliveryJob, QUEUE, startQueue } from "@/lib/queue/queue";
import type { TestApp } from "./app";
import { startSmtpServer } from "./smtp";

/**
 * The engine without its background loops: the test decides when the inbox is
 * processed and when queued deliveries run, with the app's injected clock.
 */
export async function manualEngine(app: TestApp) {
  const queue = await startQueue({ db: app.ctx.db, log: app.ctx.log, supervise: false });
  const smtp = await startSmtpServer();
  const email = createEmailTransport({
    smtpUrl: smtp.url,
    from: app.ctx.config.emailFrom,
    outboxDir: "",
  });
  const engine: EngineDeps = {
    db: app.ctx.db,
    config: app.ctx.config,
    clock: app.ctx.clock,
    log: app.ctx.log,
    queue,
  };
  const deps: DeliveryDeps = { ...engine, email };
  return {
    queue,
    /** What the SMTP server received. */
    mails: smtp.mails,
    deps,
    /** Processes the inbox, releases due deliveries and runs every queued delivery, until nothing is left. */
    async drain(): Promise<number> {
      let ran = 0;
      for (;;) {
        const processed = await processInbox(engine);
        const released = await releaseDue(engine);
        // Delivery jobs never start later than they are made; without this,
        // one made in the same tick of the database's clock is not offered.
        const jobs = (await queue.boss.fetch<DeliveryJob>(QUEUE.deliver, {
          batchSize: 100,
          ignoreStartAfter: true,
        })) as PgBoss.Job<DeliveryJob>[] | null;
        if (!jobs || jobs.length === 0) {
          if (processed === 0 && released === 0) return ran;
          continue;
        }
        const batch = await startDeliveryBatch(
          deps,
          jobs.map((j) => j.data),
        );
        await batch.done;
        await queue.boss.complete(
          QUEUE.deliver,
          jobs.map((j) => j.id),
        );
        ran += jobs.length;
      }
    },
    async stop() {
      email.close();
      await smtp.close();
      await queue.stop({ graceful: false, timeoutMs: 1000 });
    },
  };
}
