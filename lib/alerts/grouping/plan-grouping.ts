import { UNGROUPED_TYPES } from "../alert.types";

/** Where a group stands when an alert for it is planned (`alert_groups`, `alert_group_batches`). */
export interface GroupState {
  /** When the group's last message went out (or is due, for a released batch); null: never. */
  lastMessageAt: Date | null;
  /** The group's open batch, if any: later alerts join it. */
  openBatch: { id: string; releaseAt: Date } | null;
}

export interface GroupingInput {
  /** `group_window_seconds`; 0 turns grouping off. */
  windowSeconds: number;
  /** The alert's type and the destination's kind: see `isGroupable`. */
  groupable: boolean;
  state: GroupState;
  now: Date;
  /**
   * When the user's quiet hours end, if `at` falls inside them (quietHoursEnd
   * bound to the user's preferences); undefined outside quiet hours.
   */
  quietUntil: (at: Date) => Date | undefined;
}

/**
 * What grouping decides for one alert on one destination:
 * - `alone`: grouping does not apply (off, or a type or destination that is
 *   never grouped); the alert is planned exactly as before grouping existed;
 * - `immediate`: no message of its group went out in the last window; it is
 *   delivered at once, as today, and its message starts a new window;
 * - `join`: it joins the group's open batch (whose message is due at
 *   `releaseAt`; later than before only when quiet hours hold it);
 * - `open`: it opens the group's batch, whose one message is due at `releaseAt`.
 */
export type GroupingDecision =
  | { kind: "alone" }
  | { kind: "immediate" }
  | { kind: "join"; batchId: string; releaseAt: Date }
  | { kind: "open"; releaseAt: Date };

/** Types that are grouped on destination kinds that have a grouped layout. */
export function isGroupable(alertType: string, hasGroupedLayout: boolean): boolean {
  return hasGroupedLayout && !UNGROUPED_TYPES.includes(alertType);
}

const later = (a: Date, b: Date | undefined) => (b && b.getTime() > a.getTime() ? b : a);

/**
 * The look-back, then windows (DESIGN.md §6 "Grouping"). A window is
 * anchored on the group's last message: a message at t makes the next one
 * due at t + window at the earliest, so a burst that goes on makes one
 * message per window and a lone alert never waits. Quiet hours hold every
 * message of the group until they end, and all the alerts they held go out
 * as one message then. Pure.
 */
export function planGrouping(input: GroupingInput): GroupingDecision {
  const { windowSeconds, groupable, state, now, quietUntil } = input;
  if (!groupable || windowSeconds <= 0) return { kind: "alone" };
  const quiet = quietUntil(now);
  if (state.openBatch) {
    return {
      kind: "join",
      batchId: state.openBatch.id,
      releaseAt: later(state.openBatch.releaseAt, quiet),
    };
  }
  const windowEnd = state.lastMessageAt
    ? new Date(state.lastMessageAt.getTime() + windowSeconds * 1000)
    : undefined;
  if (!quiet && (!windowEnd || windowEnd.getTime() <= now.getTime())) return { kind: "immediate" };
  const due = later(later(now, windowEnd), quiet);
  // A window that ends inside quiet hours waits for their end.
  return { kind: "open", releaseAt: later(due, quietUntil(due)) };
}
