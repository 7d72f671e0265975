import { fact, jobLink, modelFact, modelName, present, stepsFact } from "./facts";
import type { AlertTemplate } from "./template.types";
import { asNumber, formatDuration } from "./text";

/** timeout_warning: no progress for a while. */
export const timeoutWarning: AlertTemplate = (d, jobId) => {
  const model = modelName(d);
  const minutes = asNumber(d.minutes_without_progress);
  const idle = minutes === undefined ? undefined : formatDuration(minutes * 60);
  const rounded = minutes === undefined ? undefined : Math.round(minutes);
  const idleWords =
    rounded === undefined
      ? undefined
      : rounded < 120
        ? `${rounded} minute${rounded === 1 ? "" : "s"}`
        : idle;
  return {
    headline: "⏳ Training Stalled",
    title: model ? `⏳ Training stalled: ${model}` : "⏳ Training stalled",
    level: "warning",
    summary: idleWords
      ? `${model ?? "Your training job"} has made no progress for ${idleWords}.`
      : `${model ?? "Your training job"} has stopped making progress.`,
    facts: present(modelFact(d), fact("No Progress For", idle), stepsFact(d, "Last Step")),
    hint: "Check the job's logs: it may be stuck loading data, waiting on another rank, or hung on a GPU.",
    link: jobLink(jobId),
  };
};
