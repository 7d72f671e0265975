import type { Queryable } from "../../db/types";
import { nonFiniteWord } from "../api/loss";
import { insertEventAndNotify } from "../sql/events";
import type { JobRow } from "../sql/jobs";

/**
 * A reported loss that is NaN or ±Infinity raises `loss_diverged`, once per
 * job (the idempotency key, and the engine's dedupe rule, name the job).
 * `job` is the row after the report: its `loss` is still the last finite
 * loss, because a non-finite one is never stored over it. Answers whether a
 * new event was stored (then wake the inbox).
 */
export async function raiseLossDiverged(
  db: Queryable,
  job: JobRow,
  loss: number | null | undefined,
  now: Date,
  wakeChannel: string,
): Promise<boolean> {
  const word = nonFiniteWord(loss);
  if (!word) return false;
  const group = job.metadata?.group;
  const stored = await insertEventAndNotify(
    db,
    {
      id: crypto.randomUUID(),
      idempotencyKey: `loss:${job.id}`,
      type: "loss_diverged",
      userId: job.user_id,
      jobId: job.id,
      occurredAt: now,
      data: {
        ...(job.model_name ? { model_name: job.model_name } : {}),
        loss: word,
        last_finite_loss: job.loss !== null && Number.isFinite(job.loss) ? job.loss : null,
        ...(job.current_step !== null ? { current_step: job.current_step } : {}),
        ...(job.total_steps !== null ? { total_steps: job.total_steps } : {}),
        ...(typeof group === "string" ? { group } : {}),
      },
      source: "monitor",
      receivedAt: now,
    },
    wakeChannel,
  );
  return !stored.duplicate;
}

/** The loss to store: a non-finite one is left out, keeping the last finite loss. */
export const storableLoss = (loss: number | null | undefined) =>
  nonFiniteWord(loss) ? undefined : loss;
