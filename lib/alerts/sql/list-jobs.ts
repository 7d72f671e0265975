import type { Queryable } from "../../db/types";
import type { JobStatus } from "../triggers/training-job.trigger";
import { isoUtc, jobFieldsJson } from "./job-json";

export interface JobListFilter {
  status?: JobStatus;
  /** The job's group label, `metadata.group`. */
  group?: string;
  /** Jobs created at or after this instant. */
  since?: string;
  /** Part of the model name, case-insensitive. */
  q?: string;
  /** Keyset position: jobs strictly older than (createdAt, id). */
  after?: { createdAt: string; id: string };
  limit: number;
  /** The caller's clock: a running job's duration runs up to it. */
  now: Date;
}

export interface JobListRow {
  /** The job as the API shows it, with its last alert. */
  item: Record<string, unknown>;
  id: string;
  /** created_at at full (microsecond) precision, for the next cursor. */
  cursor_ts: string;
}

/** `%`, `_` and `\` match themselves in the model-name search. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A page of a user's jobs, newest first, each with its last alert. */
export async function listJobs(
  db: Queryable,
  userId: string,
  f: JobListFilter,
): Promise<JobListRow[]> {
  const { rows } = await db.query<JobListRow>(
    `select j.id,
            to_char(j.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_ts,
            ${jobFieldsJson("$9")} || jsonb_build_object('last_alert', (
              select jsonb_build_object('id', h.id, 'alert_type', h.alert_type, 'title', h.title,
                                        'status', h.status, 'created_at', ${isoUtc("h.created_at")})
              from alert_history h
              where h.user_id = j.user_id and h.job_id = j.id
              order by h.created_at desc, h.id desc limit 1)) as item
     from training_jobs j
     where j.user_id = $1
       and ($2::timestamptz is null or (j.created_at, j.id) < ($2::timestamptz, $3::uuid))
       and ($4::text is null or j.status = $4)
       and ($5::text is null or j.metadata->>'group' = $5)
       and ($6::timestamptz is null or j.created_at >= $6)
       and ($7::text is null or j.model_name ilike $7)
     order by j.created_at desc, j.id desc
     limit $8`,
    [
      userId,
      f.after?.createdAt ?? null,
      f.after?.id ?? null,
      f.status ?? null,
      f.group ?? null,
      f.since ?? null,
      f.q ? likePattern(f.q) : null,
      f.limit,
      f.now,
    ],
  );
  return rows;
}
