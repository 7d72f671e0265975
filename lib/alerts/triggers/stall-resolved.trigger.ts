import { type EngineDeps, raiseSystemAlert } from "../alert.service";
import { lockUser } from "../sql/alerts";
import { loadResumedStalls, stallResolvedExists } from "../sql/load-resumed-stalls";

/**
 * A stalled job that progresses again resolves the PagerDuty incident its
 * timeout_warning opened (`dedup_key` `job:<id>`), as a completion does:
 * runs with the stall watch, and raises one `stall_resolved` per stall, sent
 * only to the PagerDuty webhooks the warning went to, whose channel formats
 * it as a `resolve` (PAGERDUTY_RESOLVES). Each is checked again under the
 * user's lock, so concurrent workers raise it once. Answers how many were raised.
 */
export async function resolveResumedStalls(deps: EngineDeps, now: Date): Promise<number> {
  let raised = 0;
  for (const stall of await loadResumedStalls(deps.db, now)) {
    const queued = await deps.db.transaction(async (tx) => {
      await lockUser(tx, stall.user_id);
      if (await stallResolvedExists(tx, stall.user_id, stall.job_id, stall.stall_alert_id))
        return false;
      await raiseSystemAlert(tx, deps, {
        userId: stall.user_id,
        type: "stall_resolved",
        jobId: stall.job_id,
        data: {
          stall_alert_id: stall.stall_alert_id,
          ...(stall.model_name ? { model_name: stall.model_name } : {}),
          ...(stall.current_step !== null ? { current_step: stall.current_step } : {}),
          ...(stall.total_steps !== null ? { total_steps: stall.total_steps } : {}),
        },
        channels: { webhookIds: stall.webhook_ids },
      });
      return true;
    });
    if (queued) raised++;
  }
  return raised;
}
