import type { AlertFact, AlertLink } from "./template.types";
import {
  asLine,
  asNumber,
  cleanText,
  formatDuration,
  formatLoss,
  formatPercent,
  formatSteps,
} from "./text";

/** Facts builders shared by the templates; each is undefined when the data lacks it. */

type Data = Record<string, unknown>;

/** The model's name, on one line, or undefined. */
export const modelName = (d: Data) => asLine(d.model_name);

export const fact = (label: string, value: string | undefined, wide = false) =>
  value === undefined ? undefined : ({ label, value, ...(wide ? { wide } : {}) } as AlertFact);

export const modelFact = (d: Data) => fact("Model", modelName(d));
export const durationFact = (d: Data) => fact("Duration", formatDuration(d.duration_seconds));
export const lossFact = (d: Data, label = "Final Loss") => fact(label, formatLoss(d.final_loss));
export const stepsFact = (d: Data, label = "Steps") =>
  fact(label, formatSteps(d.current_step, d.total_steps));
export const gpusFact = (d: Data) => {
  const n = asNumber(d.gpu_count);
  return fact("GPUs", n === undefined ? undefined : String(Math.round(n)));
};
export const percentFact = (label: string, value: unknown) => fact(label, formatPercent(value));

/** Drops the facts the data did not have. */
export const present = (...facts: (AlertFact | undefined)[]) =>
  facts.filter((f): f is AlertFact => f !== undefined);

/** The seed's "View Details" link to the job, or the history when there is no job. */
export const jobLink = (jobId: string | null): AlertLink =>
  jobId
    ? // cleanText: encodeURIComponent throws on a broken surrogate pair.
      {
        label: "View Details",
        path: `/training/monitor?jobId=${encodeURIComponent(cleanText(jobId))}`,
      }
    : { label: "View History", path: "/alerts/history" };

/** " after 2h 34m", " at step 420/1000": sentence pieces that vanish when unknown. */
export const after = (d: Data) => {
  const duration = formatDuration(d.duration_seconds);
  return duration ? ` after ${duration}` : "";
};
export const atStep = (d: Data) => {
  const steps = formatSteps(d.current_step, d.total_steps);
  return steps ? ` at step ${steps}` : "";
};
