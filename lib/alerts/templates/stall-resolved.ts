import { jobLink, modelFact, modelName, present, stepsFact } from "./facts";
import type { AlertTemplate } from "./template.types";

/**
 * stall_resolved: a job that was reported stalled (timeout_warning) made
 * progress again. A system notice sent only to the PagerDuty webhooks that
 * got the stall, where it resolves the job's incident.
 */
export const stallResolved: AlertTemplate = (d, jobId) => {
  const model = modelName(d);
  return {
    headline: "▶️ Training Progressing Again",
    title: model ? `▶️ Training progressing again: ${model}` : "▶️ Training progressing again",
    level: "success",
    summary: `${model ?? "Your training job"} is making progress again after it stalled.`,
    facts: present(modelFact(d), stepsFact(d, "Step")),
    link: jobLink(jobId),
  };
};
