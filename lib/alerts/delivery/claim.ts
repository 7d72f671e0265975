import { channelFor } from "../channels/index";
import { type ClaimedDelivery, claimDueDeliveries } from "../sql/claim-due-deliveries";
import { postponeDeliveries } from "../sql/postpone-deliveries";
import { type DeliveryDeps, LEASE_MS, POSTPONE_MS } from "./delivery.types";
import { type DestinationLimiter, destinationKey } from "./destination-limiter";
import { pace } from "./pacing";

/** A claimed delivery ready to send, with its destination's slot (taken, or awaited). */
export interface Planned {
  d: ClaimedDelivery;
  /** The limiter key whose slot the send holds; undefined without a limiter. */
  key: string | undefined;
  /** Resolves when the destination's slot is free (the delivery waits for it in memory). */
  slot?: Promise<void>;
}

export interface ClaimedBatch {
  claimedAt: Date;
  planned: Planned[];
  /** Deliveries handed back to wait (paced slot to come, held webhook, destination at its cap). */
  postponed: number;
  /** The earliest time a handed-back delivery is due again (to wake for it). */
  nextDueAt: Date | null;
}

/**
 * Claims up to `limit` due deliveries and paces them, in one transaction:
 * the claim (one statement, lease included), the send slots of paced
 * webhooks, and the hand-back of what must wait for its slot or its hold.
 * Once that is committed, `limiter` caps sends in flight per destination:
 * over the cap a few deliveries wait in memory for a slot, and the rest are
 * handed back for `POSTPONE_MS` (one more statement, only then). The slots
 * are taken after the commit, so a transaction that fails takes none (they
 * would never be released).
 */
export async function claimBatch(
  deps: DeliveryDeps,
  limit: number,
  limiter?: DestinationLimiter,
): Promise<ClaimedBatch> {
  const claimedAt = deps.clock();
  const leaseUntil = new Date(claimedAt.getTime() + LEASE_MS);
  const { ready, later } = await deps.db.transaction(async (tx) => {
    const claimed = await claimDueDeliveries(tx, { now: claimedAt, leaseUntil, limit });
    if (claimed.length === 0) return { ready: [], later: [] };
    const paced = await pace(tx, claimed, claimedAt);
    await postponeDeliveries(tx, paced.later, claimedAt);
    return { ready: paced.now, later: paced.later };
  });
  const planned: Planned[] = [];
  const over: ClaimedDelivery[] = [];
  for (const d of ready) {
    const key = limiter ? destinationKey(d) : undefined;
    const cap = channelFor(d.channel === "email" ? "email" : (d.webhook_type ?? ""))?.pacing
      .maxInFlight;
    if (key === undefined || limiter?.tryAcquire(key, cap)) {
      planned.push({ d, key });
      continue;
    }
    // At its cap: wait in memory for a slot (a few may), else hand it back.
    const slot = limiter?.wait(key);
    if (slot) planned.push({ d, key, slot });
    else over.push(d);
  }
  const retryAt = new Date(claimedAt.getTime() + POSTPONE_MS);
  const back = [...later, ...over.map((d) => ({ ...d, at: retryAt }))];
  if (over.length > 0) {
    try {
      await postponeDeliveries(
        deps.db,
        over.map((d) => ({ ...d, at: retryAt })),
        claimedAt,
      );
    } catch (error) {
      // They stay claimed: their lease runs out and a later claim takes them over.
      deps.log.warn(
        { err: error, deliveries: over.length },
        "handing back deliveries over their destination's cap failed",
      );
    }
  }
  const nextDueAt = back.reduce<Date | null>((min, b) => (!min || b.at < min ? b.at : min), null);
  return { claimedAt, planned, postponed: back.length, nextDueAt };
}
