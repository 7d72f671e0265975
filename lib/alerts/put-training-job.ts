import type { Db, Queryable } from "../db/types";
import { ensureEventUser } from "../db/users";
import { HttpError } from "../errors/http-error";
import type { JobPut } from "./api/jobs.schema";
import { jobNotFound } from "./job-id";
import { insertJob, type JobRow, lockJob, updateJob } from "./sql/jobs";
import { raiseLossDiverged, storableLoss } from "./triggers/loss.trigger";
import { transitionProblem } from "./triggers/training-job.trigger";

/**
 * Who writes the job, as the route's authorisation sees it; lib/alerts knows
 * no keys, so the route hands over its answers.
 */
export interface JobWriter {
  /** The service key: it may name any user, so a new job's owner must be checked to exist. */
  actsForAnyone: boolean;
  /** Whether the writer may see a job of this user; one it may not is "not found", not "forbidden". */
  mayAccess(jobUserId: string): boolean;
  /** The user the body's `user_id` resolves to for this writer; throws when it may not name it. */
  actingUserId(requested: string | undefined): string;
}

export interface PutTrainingJob {
  id: string;
  body: JobPut;
  writer: JobWriter;
  now: Date;
  /** The NOTIFY channel a raised `loss_diverged` event wakes workers on. */
  wakeChannel: string;
}

/**
 * Creates or updates a training job under the lifecycle rules: a job's user
 * never changes, a finished job stays finished and none goes back to queued
 * (409 naming the field), a non-finite loss is not stored but raises
 * `loss_diverged` once the write has committed. A status change records the
 * job event through the table's trigger, the same path a direct database
 * write takes. `created` tells a new job (201) from an update (200).
 */
export async function putTrainingJob(
  db: Db,
  { id, body, writer, now, wakeChannel }: PutTrainingJob,
): Promise<{ job: JobRow; created: boolean }> {
  const write = { ...body, loss: storableLoss(body.loss) };
  const result = await db.transaction(async (tx) => {
    const current = await lockJob(tx, id);
    if (current && !writer.mayAccess(current.user_id)) throw jobNotFound();
    if (!current) return { job: await createJob(tx, id, write, writer, now), created: true };
    if (!writer.actsForAnyone) writer.actingUserId(body.user_id);
    if (body.user_id && body.user_id.toLowerCase() !== current.user_id) {
      throw new HttpError(
        "conflict",
        "This job belongs to another user; a job's user_id cannot change.",
        { errors: [{ path: "user_id", message: "differs from the job's user" }] },
      );
    }
    const problem = body.status ? transitionProblem(current.status, body.status) : undefined;
    if (problem) {
      throw new HttpError("conflict", `Illegal status change: ${problem}.`, {
        errors: [{ path: "status", message: problem }],
      });
    }
    return { job: await updateJob(tx, id, write, now), created: false };
  });
  await raiseLossDiverged(db, result.job, body.loss, now, wakeChannel);
  return result;
}

async function createJob(
  tx: Queryable,
  id: string,
  write: JobPut,
  writer: JobWriter,
  now: Date,
): Promise<JobRow> {
  const userId = writer.actingUserId(write.user_id);
  if (writer.actsForAnyone && !(await ensureEventUser(tx, userId))) {
    throw HttpError.field("user_id", "no user has this id");
  }
  return insertJob(tx, id, userId, write, now);
}
