import { atStep, gpusFact, jobLink, modelFact, modelName, present, stepsFact } from "./facts";
import type { AlertTemplate } from "./template.types";
import { asText } from "./text";

/** gpu_oom: out-of-memory found in the job's logs. */
export const gpuOom: AlertTemplate = (d, jobId) => {
  const model = modelName(d);
  const excerpt = asText(d.log_excerpt);
  return {
    headline: "💥 GPU Out of Memory",
    title: model ? `💥 GPU out of memory: ${model}` : "💥 GPU out of memory",
    level: "failure",
    summary: `${model ?? "Your training job"} ran out of GPU memory${atStep(d)}.`,
    facts: present(modelFact(d), gpusFact(d), stepsFact(d)),
    ...(excerpt ? { details: { label: "Log", text: excerpt } } : {}),
    hint: "Try a smaller batch size, gradient accumulation, gradient checkpointing or mixed precision.",
    link: jobLink(jobId),
  };
};
