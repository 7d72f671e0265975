import { fact, gpusFact, jobLink, modelFact, modelName, present } from "./facts";
import type { AlertTemplate } from "./template.types";
import { asNumber, formatSteps } from "./text";

/** job_started: the job is running. */
export const jobStarted: AlertTemplate = (d, jobId) => {
  const model = modelName(d);
  const gpus = asNumber(d.gpu_count);
  const total = asNumber(d.total_steps);
  const on = gpus === undefined ? "" : ` on ${gpus} GPU${gpus === 1 ? "" : "s"}`;
  const resumed = asNumber(d.current_step);
  return {
    headline: "🚀 Training Started",
    title: model ? `🚀 Training started: ${model}` : "🚀 Training started",
    level: "info",
    summary: `${model ?? "Your training job"} started training${on}${total !== undefined ? ` for ${total} steps` : ""}.`,
    facts: present(
      modelFact(d),
      // A job that resumes from a checkpoint starts past step 0: show where.
      resumed
        ? fact("Steps", formatSteps(d.current_step, d.total_steps))
        : fact("Total Steps", total === undefined ? undefined : String(total)),
      gpusFact(d),
    ),
    link: jobLink(jobId),
  };
};
