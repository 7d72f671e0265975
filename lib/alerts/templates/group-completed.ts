import { historyPath } from "../grouping/history-link";
import { fact, present } from "./facts";
import type { AlertTemplate } from "./template.types";
import { asLine, asNumber, formatLoss } from "./text";

const whole = (v: unknown) => {
  const n = asNumber(v);
  return n === undefined ? undefined : String(Math.round(n));
};

/**
 * group_completed: every job of a group label has finished (DESIGN.md §6).
 * The data is the sweep summary (lib/alerts/grouping/sweep-summary.ts).
 */
export const groupCompleted: AlertTemplate = (d) => {
  const group = asLine(d.group);
  const counts = ["completed", "failed", "cancelled"]
    .map((k) => (whole(d[k]) === undefined ? undefined : `${whole(d[k])} ${k}`))
    .filter((s): s is string => s !== undefined);
  const failed = asNumber(d.failed) ?? 0;
  const reason = asLine(d.top_failure_reason);
  const reasonCount = whole(d.top_failure_count);
  const loss = formatLoss(d.best_final_loss);
  const bestModel = asLine(d.best_model_name);
  const gpuHours = asNumber(d.gpu_hours);
  return {
    headline: "🏁 Sweep Finished",
    title: group ? `🏁 Sweep finished: ${group}` : "🏁 Sweep finished",
    level: failed > 0 ? "warning" : "success",
    summary: `${group ? `Sweep ${group}` : "A sweep"} finished${counts.length > 0 ? `: ${counts.join(", ")}` : ""}.`,
    facts: present(
      fact("Group", group),
      fact("Jobs", whole(d.jobs)),
      fact("Completed", whole(d.completed)),
      fact("Failed", whole(d.failed)),
      fact("Cancelled", whole(d.cancelled)),
      fact(
        "Most Common Failure",
        reason ? `${reason}${reasonCount ? ` (${reasonCount}×)` : ""}` : undefined,
        true,
      ),
      fact("Best Final Loss", loss ? `${loss}${bestModel ? ` (${bestModel})` : ""}` : undefined),
      fact("GPU-Hours", gpuHours === undefined ? undefined : String(gpuHours)),
    ),
    link: group
      ? { label: "View Sweep", path: historyPath({ group }) }
      : { label: "View History", path: "/alerts/history" },
  };
};
