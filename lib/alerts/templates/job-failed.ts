import {
  after,
  atStep,
  durationFact,
  fact,
  jobLink,
  modelFact,
  modelName,
  present,
  stepsFact,
} from "./facts";
import type { AlertTemplate } from "./template.types";
import { asText, errorHeadline } from "./text";

/** job_failed: the seed's Discord example (Model, Error, Duration), plus the traceback's tail. */
export const jobFailed: AlertTemplate = (d, jobId) => {
  const model = modelName(d);
  const error = asText(d.error);
  return {
    headline: "❌ Training Failed",
    title: model ? `❌ Training failed: ${model}` : "❌ Training failed",
    level: "failure",
    summary: `${model ?? "Your training job"} failed${after(d)}${atStep(d)}.`,
    facts: present(
      modelFact(d),
      fact("Error", errorHeadline(error)),
      durationFact(d),
      stepsFact(d),
    ),
    ...(error ? { details: { label: "Error", text: error } } : {}),
    link: jobLink(jobId),
  };
};
