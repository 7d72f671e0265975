import {
  after,
  atStep,
  durationFact,
  jobLink,
  lossFact,
  modelFact,
  modelName,
  present,
  stepsFact,
} from "./facts";
import type { AlertTemplate } from "./template.types";

/** job_cancelled: stopped before the end; amber, since the run did not finish. */
export const jobCancelled: AlertTemplate = (d, jobId) => {
  const model = modelName(d);
  return {
    headline: "⏹️ Training Cancelled",
    title: model ? `⏹️ Training cancelled: ${model}` : "⏹️ Training cancelled",
    level: "warning",
    summary: `${model ?? "Your training job"} was cancelled${after(d)}${atStep(d)}.`,
    facts: present(modelFact(d), durationFact(d), stepsFact(d), lossFact(d, "Last Loss")),
    link: jobLink(jobId),
  };
};
