import { diskThresholdFor } from "./disk-threshold";
import { zonedParts } from "./quiet-hours";

/** What `describeOutcome` reads of an inbox event (a row of `listInboxEvents`). */
export interface OutcomeFacts {
  type: string;
  outcome: string | null;
  processed_at: Date | null;
  received_at: Date;
  attempts: number;
  last_error: string | null;
  data: Record<string, unknown>;
  alert_status: string | null;
  alert_deferred_until: Date | null;
  alert_suppressed_reason: string | null;
  duplicate_of: string | null;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const pad = (n: number) => String(n).padStart(2, "0");

/** "07:00", or "Tue 07:00" when it is not the same local day as `from`. */
function localTime(at: Date, from: Date, timeZone: string): string {
  const p = zonedParts(at, timeZone);
  const f = zonedParts(from, timeZone);
  const time = `${pad(p.hour)}:${pad(p.minute)}`;
  const sameDay = p.year === f.year && p.month === f.month && p.day === f.day;
  return sameDay ? time : `${WEEKDAYS[p.weekday]} ${p.day}/${p.month} ${time}`;
}

/**
 * An inbox event's outcome as a sentence a user can act on: why it did or did
 * not become an alert. Pure: the caller gives the server's disk threshold and
 * the user's time zone.
 */
export function describeOutcome(
  e: OutcomeFacts,
  opts: { diskThresholdPercent: number; timeZone: string },
): string {
  if (!e.processed_at) {
    return e.attempts > 0 && e.last_error
      ? `waiting: processing failed ${e.attempts} time${e.attempts === 1 ? "" : "s"} (${e.last_error}); it is retried`
      : "waiting to be processed";
  }
  switch (e.outcome) {
    case "alerted":
      switch (e.alert_status) {
        case "sent":
          return "alerted: sent";
        case "partial":
          return "alerted: sent on some channels, failed on others (see history)";
        case "failed":
          return "alerted, but every delivery failed (see history to retry)";
        case "skipped":
          return "alerted, but no channel could take it (see history)";
        default:
          return "alerted: being delivered";
      }
    case "deferred":
      return e.alert_deferred_until
        ? `deferred until ${localTime(e.alert_deferred_until, e.received_at, opts.timeZone)} (quiet hours)`
        : "deferred (quiet hours)";
    case "suppressed":
      return `not sent: ${e.alert_suppressed_reason ?? "over the hourly alert limit"}`;
    case "muted":
      return `not sent: ${e.alert_suppressed_reason ?? "muted"}`;
    case "deduplicated":
      return e.duplicate_of
        ? `not sent: duplicate of event ${e.duplicate_of}`
        : `not sent: duplicate of an earlier ${e.type} event`;
    case "no_channels":
      return `not sent: ${e.type} is off for every channel (turn it on in Settings or on a webhook)`;
    case "below_threshold": {
      const threshold = diskThresholdFor(e.data, opts.diskThresholdPercent);
      const used = e.data.disk_used_percent;
      return `not sent: below the ${threshold} % disk threshold${
        typeof used === "number" ? ` (${used} % used)` : ""
      }`;
    }
    case "unknown_user":
      return "not sent: no user has this user_id";
    case "error":
      return `not sent: processing failed${e.last_error ? ` (${e.last_error})` : ""}`;
    default:
      return e.outcome ?? "processed";
  }
}
