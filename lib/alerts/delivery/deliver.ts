import { postponeDeliveries } from "../sql/postpone-deliveries";
import { claimBatch } from "./claim";
import { type DeliveryDeps, POSTPONE_MS, SLOT_WAIT_MAX_MS } from "./delivery.types";
import type { DestinationLimiter } from "./destination-limiter";
import {
  type AttemptOutcome,
  type OutcomeRecorder,
  recordOutcomes,
  type SentAttempt,
} from "./record";
import { sendClaimed } from "./send";

export interface DeliveryBatch {
  /** Deliveries claimed (sending or handed back). */
  claimed: number;
  /** Deliveries this batch is sending. */
  sending: number;
  /** Deliveries handed back to wait. */
  postponed: number;
  /** The earliest time a handed-back delivery is due again. */
  nextDueAt: Date | null;
  /** Settles when every send of the batch is recorded. */
  done: Promise<AttemptOutcome[]>;
}

/**
 * One batch of deliveries: up to `limit` due rows claimed in one transaction
 * (`claimBatch`), then each sent outside any transaction and its outcome
 * recorded by `recorder` (group commit), or on its own without one. Answers
 * once the claim is committed; the lease guards each delivery from then on.
 */
export async function startDeliveryBatch(
  deps: DeliveryDeps,
  options: {
    limit?: number;
    limiter?: DestinationLimiter;
    recorder?: OutcomeRecorder;
    /** Called once for each delivery of the batch when its send is over (before it is recorded). */
    onSent?: () => void;
  } = {},
): Promise<DeliveryBatch> {
  const { limiter, recorder, onSent } = options;
  const batch = await claimBatch(deps, options.limit ?? 20, limiter);
  const { claimedAt, planned } = batch;
  if (planned.length + batch.postponed > 0) {
    deps.events?.emit("delivery:claimed", {
      ids: planned.map((p) => p.d.id),
      postponed: batch.postponed,
    });
  }
  // The recorder waits a moment for these sends' outcomes, to record them together.
  recorder?.expect(planned.length);
  const done = Promise.all(
    planned.map(async ({ d, key, slot }): Promise<AttemptOutcome> => {
      if (slot) await slot;
      let result: SentAttempt["result"];
      // The destination's slot is held for the send only, not for recording it.
      try {
        // A long wait hands the delivery back rather than risk its lease.
        if (slot && deps.clock().getTime() - claimedAt.getTime() > SLOT_WAIT_MAX_MS) {
          const now = deps.clock();
          await postponeDeliveries(
            deps.db,
            [{ ...d, at: new Date(now.getTime() + POSTPONE_MS) }],
            now,
          );
          recorder?.forgo();
          return "stale";
        }
        result = await sendClaimed(deps, d);
      } catch (error) {
        // The lease expires and a later claim takes the delivery over.
        deps.log.warn({ err: error, delivery_id: d.id }, "sending a delivery failed");
        recorder?.forgo();
        return "stale";
      } finally {
        if (key !== undefined) limiter?.release(key);
        onSent?.();
      }
      const sent = { claimed: d, result };
      if (recorder) return recorder.record(sent);
      const [outcome = "stale"] = await recordOutcomes(deps, [sent]);
      return outcome;
    }),
  );
  return {
    claimed: planned.length + batch.postponed,
    sending: planned.length,
    postponed: batch.postponed,
    nextDueAt: batch.nextDueAt,
    done,
  };
}
