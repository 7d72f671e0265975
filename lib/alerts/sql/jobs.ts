import type { Queryable } from "../../db/types";
import type { JobPut } from "../api/jobs.schema";
import type { JobStatus } from "../triggers/training-job.trigger";

export interface JobRow {
  id: string;
  user_id: string;
  model_name: string | null;
  status: JobStatus;
  current_step: number | null;
  total_steps: number | null;
  loss: number | null;
  error: string | null;
  gpu_count: number;
  metadata: Record<string, unknown>;
  /** The latest progress metrics reported (learning rate, tokens/s, …). */
  metrics: Record<string, number> | null;
  started_at: Date | null;
  finished_at: Date | null;
  last_progress_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export async function lockJob(db: Queryable, id: string): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>("select * from training_jobs where id = $1 for update", [
    id,
  ]);
  return rows[0];
}

const WRITABLE = [
  "model_name",
  "status",
  "current_step",
  "total_steps",
  "loss",
  "error",
  "gpu_count",
  "metadata",
  "metrics",
] as const;

function columns(input: JobPut): { names: string[]; values: unknown[] } {
  const names: string[] = [];
  const values: unknown[] = [];
  for (const name of WRITABLE) {
    const value = input[name];
    if (value === undefined) continue;
    names.push(name);
    values.push(name === "metadata" || name === "metrics" ? JSON.stringify(value) : value);
  }
  return { names, values };
}

export async function insertJob(
  db: Queryable,
  id: string,
  userId: string,
  input: JobPut,
  now: Date,
): Promise<JobRow> {
  const { names, values } = columns(input);
  const progress = input.current_step !== undefined || input.status === "running";
  const { rows } = await db.query<JobRow>(
    `insert into training_jobs (id, user_id, last_progress_at${names.map((n) => `, ${n}`).join("")})
     values ($1, $2, $3${names.map((_, i) => `, $${i + 4}`).join("")})
     returning *`,
    [id, userId, progress ? now : null, ...values],
  );
  const row = rows[0];
  if (!row) throw new Error("training_jobs insert returned no row");
  return row;
}

/** Updates the given fields; a new step counts as progress (re-arming the stall watch). */
export async function updateJob(
  db: Queryable,
  id: string,
  input: JobPut,
  now: Date,
): Promise<JobRow> {
  const { names, values } = columns(input);
  const progress = input.current_step !== undefined;
  const { rows } = await db.query<JobRow>(
    `update training_jobs set
       ${names.map((n, i) => `${n} = $${i + 3}`).join(", ")}${names.length ? "," : ""}
       last_progress_at = case when $2::timestamptz is not null then $2::timestamptz else last_progress_at end
     where id = $1
     returning *`,
    [id, progress ? now : null, ...values],
  );
  const row = rows[0];
  if (!row) throw new Error("training_jobs update returned no row");
  return row;
}

/**
 * Records progress of a running job; undefined when the job is missing or not
 * running. The table's trigger adds the point to the job's progress history
 * (migration 0010); `metrics` are this report's readings, none when omitted.
 */
export async function recordProgress(
  db: Queryable,
  id: string,
  step: number,
  loss: number | null | undefined,
  now: Date,
  metrics?: Record<string, number> | null,
): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(
    `update training_jobs set current_step = $2,
       loss = case when $3::boolean then $4::double precision else loss end,
       last_progress_at = $5, metrics = $6::jsonb
     where id = $1 and status = 'running'
     returning *`,
    [id, step, loss !== undefined, loss ?? null, now, metrics ? JSON.stringify(metrics) : null],
  );
  return rows[0];
}

export async function getJob(db: Queryable, id: string): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>("select * from training_jobs where id = $1", [id]);
  return rows[0];
}
