import type { Queryable } from "../../db/types";

/** A stall (its timeout_warning alert) whose running job progressed since, with the PagerDuty webhooks it paged. */
export interface ResumedStall {
  stall_alert_id: string;
  user_id: string;
  job_id: string;
  model_name: string | null;
  current_step: number | null;
  total_steps: number | null;
  webhook_ids: string[];
}

/**
 * Stalls to resolve, in one statement: running jobs that progressed after
 * the progress their timeout_warning followed (its `data.last_progress_at`),
 * whose warning was delivered on its own (not in a group message, which has
 * the group's incident) to a PagerDuty webhook, and whose stall has no
 * `stall_resolved` yet. Warnings older than a week are left alone. Read
 * through the jobs (the stall watch scans them already) and the history's
 * (user_id, job_id) index.
 */
export async function loadResumedStalls(
  db: Queryable,
  now: Date,
  limit = 500,
): Promise<ResumedStall[]> {
  const { rows } = await db.query<ResumedStall>(
    `select a.id as stall_alert_id, a.user_id, a.job_id, j.model_name, j.current_step, j.total_steps,
            array_agg(distinct d.webhook_id) as webhook_ids
     from training_jobs j
     join alert_history a on a.user_id = j.user_id and a.job_id = j.id
     join alert_deliveries d on d.alert_id = a.id
     join user_webhooks w on w.id = d.webhook_id
     where j.status = 'running' and j.last_progress_at is not null
       and a.alert_type = 'timeout_warning'
       and a.created_at > $1::timestamptz - interval '7 days'
       and a.data->>'last_progress_at' ~ '^\\d{4}-\\d{2}-\\d{2}T'
       and j.last_progress_at > (a.data->>'last_progress_at')::timestamptz
       and d.channel = 'webhook' and d.status = 'delivered' and d.group_batch_id is null
       and w.webhook_type = 'pagerduty'
       and not exists (
         select 1 from alert_history r
         where r.user_id = a.user_id and r.job_id = a.job_id and r.alert_type = 'stall_resolved'
           and r.data->>'stall_alert_id' = a.id::text)
     group by a.id, a.user_id, a.job_id, j.model_name, j.current_step, j.total_steps
     order by a.created_at
     limit $2`,
    [now, limit],
  );
  return rows;
}

/** Whether a stall already has its stall_resolved (checked again under the user's lock). */
export async function stallResolvedExists(
  db: Queryable,
  userId: string,
  jobId: string,
  stallAlertId: string,
): Promise<boolean> {
  const { rows } = await db.query(
    `select 1 from alert_history
     where user_id = $1 and job_id = $2 and alert_type = 'stall_resolved' and data->>'stall_alert_id' = $3`,
    [userId, jobId, stallAlertId],
  );
  return rows.length > 0;
}
