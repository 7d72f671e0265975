import { type EngineDeps, processInbox } from "@/lib/alerts/alert.service";
import { createEmailTransport } from "@/lib/alerts/channels/email.channel";
import { startDeliveryBatch } from "@/lib/alerts/delivery/deliver";
import type { DeliveryDeps } from "@/lib/alerts/delivery/delivery.types";
import { startQueue } from "@/lib/queue/queue";
import type { TestApp } from "./app";
import { startSmtpServer } from "./smtp";

/**
 * The engine without its background loops: the test decides when the inbox is
 * processed and when due deliveries run, with the app's injected clock.
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
    // No loop to wake: the test drains.
    queue: {
      notifyDeliveries: (tx) => queue.notifyDeliveries(tx),
      scheduleNotice: (tx, userId, after) => queue.scheduleNotice(tx, userId, after),
      wake: () => {},
    },
  };
  const deps: DeliveryDeps = { ...engine, email };
  return {
    queue,
    /** What the SMTP server received. */
    mails: smtp.mails,
    deps,
    /** Processes the inbox and sends every due delivery, until nothing is left. Answers the deliveries claimed. */
    async drain(): Promise<number> {
      let ran = 0;
      for (;;) {
        const processed = await processInbox(engine);
        const batch = await startDeliveryBatch(deps, { limit: 100 });
        await batch.done;
        ran += batch.claimed;
        if (processed === 0 && batch.claimed === 0) return ran;
        // Handed back only: they are due later, not in this drain.
        if (processed === 0 && batch.sending === 0) return ran;
      }
    },
    async stop() {
      email.close();
      await smtp.close();
      await queue.stop({ graceful: false, timeoutMs: 1000 });
    },
  };
}
