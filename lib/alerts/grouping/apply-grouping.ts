import type { Queryable } from "../../db/types";
import type { DeliveryStatus } from "../alert.types";
import { groupsAlerts } from "../channels/index";
import { joinGroupBatch } from "../sql/join-group-batch";
import { loadGroupStates } from "../sql/load-group-states";
import { markGroupMessages } from "../sql/mark-group-messages";
import { openGroupBatch } from "../sql/open-group-batch";
import { groupKey } from "./group-key";
import { groupHeadline } from "./group-view";
import { type GroupingDecision, isGroupable, planGrouping } from "./plan-grouping";

/** One of a new alert's deliveries, as grouping sees it. */
export interface GroupingTarget {
  deliveryId: string;
  channel: "email" | "webhook";
  webhookId: string | null;
  /** The registry kind: `email`, or the webhook's type. */
  kind: string;
  status: DeliveryStatus;
}

export interface ApplyGroupingInput {
  userId: string;
  alertType: string;
  label: string | null;
  now: Date;
  windowSeconds: number;
  /** quietHoursEnd bound to the user's preferences. */
  quietUntil: (at: Date) => Date | undefined;
  deliveries: readonly GroupingTarget[];
}

/**
 * Grouping for a new alert's deliveries, inside the transaction that writes
 * the alert (the user is locked, so the look-back cannot race another of
 * their alerts): each delivery to a groupable destination is planned
 * (planGrouping) and then goes out at once (its group's window starts), or
 * waits in its group's batch (opened if need be) for the window's end.
 * Grouping off, or nothing groupable: nothing is read or written.
 * Answers how many deliveries now wait in a batch.
 */
export async function applyGrouping(tx: Queryable, input: ApplyGroupingInput): Promise<number> {
  if (input.windowSeconds <= 0) return 0;
  const targets = input.deliveries
    .filter((d) => d.status === "pending" || d.status === "deferred")
    .filter((d) => isGroupable(input.alertType, groupsAlerts(d.kind, input.alertType)))
    .map((d) => ({
      ...d,
      key: groupKey(
        d.channel === "email"
          ? { channel: "email" }
          : { channel: "webhook", webhookId: d.webhookId ?? "" },
        input.alertType,
        input.label,
      ),
    }));
  if (targets.length === 0) return 0;

  const states = await loadGroupStates(
    tx,
    input.userId,
    targets.map((t) => t.key),
  );
  const immediate: string[] = [];
  let grouped = 0;
  for (const t of targets) {
    const plan = (state = states.get(t.key) ?? { lastMessageAt: null, openBatch: null }) =>
      planGrouping({
        windowSeconds: input.windowSeconds,
        groupable: true,
        state,
        now: input.now,
        quietUntil: input.quietUntil,
      });
    let decision: GroupingDecision = plan();
    if (decision.kind === "join") {
      const joined = await joinGroupBatch(tx, {
        batchId: decision.batchId,
        memberDeliveryId: t.deliveryId,
        releaseAt: decision.releaseAt,
        now: input.now,
      });
      if (joined) {
        grouped++;
        continue;
      }
      // Its message is going out right now: that starts the next window.
      decision = plan({ lastMessageAt: input.now, openBatch: null });
    }
    if (decision.kind === "immediate" || decision.kind === "alone") {
      immediate.push(t.key);
      continue;
    }
    const headline = groupHeadline(input.alertType, 1, input.label);
    await openGroupBatch(tx, {
      userId: input.userId,
      groupKey: t.key,
      channel: t.channel,
      webhookId: t.webhookId,
      alertType: input.alertType,
      label: input.label,
      openedAt: input.now,
      releaseAt: decision.releaseAt,
      memberDeliveryId: t.deliveryId,
      title: headline,
      message: `Alerts of this group wait here until ${decision.releaseAt.toISOString()}, then go out as one message.`,
      deferred: input.quietUntil(input.now) !== undefined,
    });
    grouped++;
  }
  await markGroupMessages(tx, input.userId, immediate, input.now);
  return grouped;
}
