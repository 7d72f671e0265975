import { durationFact, jobLink, lossFact, modelFact, modelName, present, stepsFact } from "./facts";
import type { AlertTemplate } from "./template.types";
import { formatDuration, formatLoss, formatSteps } from "./text";

/** job_completed: the seed's Slack example (Model, Duration, Final Loss, Steps). */
export const jobCompleted: AlertTemplate = (d, jobId) => {
  const model = modelName(d);
  const duration = formatDuration(d.duration_seconds);
  const loss = formatLoss(d.final_loss);
  const steps = formatSteps(d.current_step, d.total_steps);
  return {
    headline: "✅ Training Complete",
    title: model ? `✅ Training complete: ${model}` : "✅ Training complete",
    level: "success",
    summary: [
      `${model ?? "Your training job"} finished training`,
      duration && ` in ${duration}`,
      loss && ` with final loss ${loss}`,
      steps && ` (${steps} steps)`,
      ".",
    ]
      .filter(Boolean)
      .join(""),
    facts: present(modelFact(d), durationFact(d), lossFact(d), stepsFact(d)),
    link: jobLink(jobId),
  };
};
