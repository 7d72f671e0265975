import { fact, present } from "./facts";
import type { AlertTemplate } from "./template.types";
import { asNumber } from "./text";

/** rate_limit_notice: alerts were recorded but not sent while over the hourly limit. */
export const rateLimitNotice: AlertTemplate = (d) => {
  const n = Math.max(0, Math.round(asNumber(d.suppressed_count) ?? 0));
  const limit = asNumber(d.limit_per_hour);
  const were = `${n} alert${n === 1 ? " was" : "s were"}`;
  return {
    headline: "🔕 Some Alerts Were Not Sent",
    title: `🔕 ${were} not sent`,
    level: "warning",
    summary: `You reached the limit${limit === undefined ? "" : ` of ${limit} alerts per hour`}, so ${were} recorded in your history but not sent. Alerts are flowing again.`,
    facts: present(
      fact("Not Sent", String(n)),
      fact("Limit", limit === undefined ? undefined : `${limit} per hour`),
    ),
    link: { label: "View History", path: "/alerts/history" },
  };
};
