import type { Queryable } from "../../db/types";
import { channelFor } from "../channels/index";
import type { ClaimedDelivery } from "../sql/claim-due-deliveries";
import { reserveSendSlots } from "../sql/reserve-send-slots";

/** A claimed delivery handed back to wait: until `at`, holding `send_slot` if it reserved one. */
export type Postponed = { id: string; attempts: number; at: Date; send_slot: Date | null };

/** Spacing between two sends to one destination of this kind (the channel's pacing); 0: unpaced. */
export function spacingOf(kind: string | null): number {
  return (kind && channelFor(kind)?.pacing.minIntervalMs) || 0;
}

/** Sends one destination of this kind may take at once before the spacing applies; at least 1. */
export function burstOf(kind: string | null): number {
  return Math.max(1, (kind && channelFor(kind)?.pacing.burst) || 1);
}

/**
 * Back-pressure per webhook, inside the claiming transaction. A webhook held
 * after a 429 gets nothing before the hold ends. On a paced webhook (the
 * channel's `pacing.minIntervalMs`) each delivery takes the next free send
 * slot (reserved in the database, so all workers keep one pace): those whose
 * slot is now go now, the rest wait for their slot, in alert order, and are
 * sent without reserving again when it comes.
 */
export async function pace(
  tx: Queryable,
  claimed: readonly ClaimedDelivery[],
  now: Date,
): Promise<{ now: ClaimedDelivery[]; later: Postponed[] }> {
  const ready: ClaimedDelivery[] = [];
  const later: Postponed[] = [];
  const paced = new Map<string, { spacingMs: number; ds: ClaimedDelivery[] }>();
  for (const d of claimed) {
    const live = d.webhook_id !== null && d.webhook_enabled === true;
    if (live && d.held_until && d.held_until > now) {
      // The hold decides when; a slot reserved before it is given up.
      later.push({ id: d.id, attempts: d.attempts, at: d.held_until, send_slot: null });
      continue;
    }
    const spacingMs = spacingOf(d.webhook_type);
    // Unpaced, holding its reserved slot, or to be skipped: it goes now.
    if (!live || !spacingMs || d.webhook_id === null || d.send_slot) {
      ready.push(d);
      continue;
    }
    const entry = paced.get(d.webhook_id) ?? { spacingMs, ds: [] };
    entry.ds.push(d);
    paced.set(d.webhook_id, entry);
  }
  const firstSlots = await reserveSendSlots(
    tx,
    [...paced].map(([webhookId, { spacingMs, ds }]) => ({
      webhookId,
      count: ds.length,
      spacingMs,
    })),
    now,
  );
  for (const [webhookId, { spacingMs, ds }] of paced) {
    const first = firstSlots.get(webhookId)?.getTime() ?? now.getTime();
    // The webhook's next free slot doubles as a token bucket's clock (GCRA):
    // with a burst of b, up to b - 1 intervals of it may be used at once.
    const credit = (burstOf(ds[0]?.webhook_type ?? null) - 1) * spacingMs;
    ds.sort((a, b) => a.alert_created_at.getTime() - b.alert_created_at.getTime());
    ds.forEach((d, k) => {
      const slot = new Date(Math.max(now.getTime(), first + k * spacingMs - credit));
      if (slot <= now) ready.push(d);
      else later.push({ id: d.id, attempts: d.attempts, at: slot, send_slot: slot });
    });
  }
  return { now: ready, later };
}
