import { fact, jobLink, modelFact, modelName, present, stepsFact } from "./facts";
import type { AlertTemplate } from "./template.types";
import { formatLoss } from "./text";

/** How a non-finite loss is written in event data ("nan", "inf", "-inf") and shown. */
const SHOWN: Record<string, string> = { nan: "NaN", inf: "+Infinity", "-inf": "−Infinity" };

/**
 * loss_diverged: a reported loss was NaN or infinite (once per job). Says at
 * which step it happened and the last finite loss before it, which tells a
 * slow blow-up (a loss climbing for a while) from a sudden one.
 */
export const lossDiverged: AlertTemplate = (d, jobId) => {
  const model = modelName(d);
  const value = typeof d.loss === "string" ? SHOWN[d.loss] : undefined;
  const step = typeof d.current_step === "number" ? ` at step ${d.current_step}` : "";
  const last = formatLoss(d.last_finite_loss);
  return {
    headline: "📉 Loss Diverged",
    title: model ? `📉 Loss diverged: ${model}` : "📉 Loss diverged",
    level: "failure",
    summary:
      `${model ?? "Your training job"} reported a ${value ?? "non-finite"} loss${step}` +
      (last ? `; the last finite loss was ${last}.` : "; no finite loss was reported before it."),
    facts: present(
      modelFact(d),
      fact("Loss", value ?? "non-finite"),
      stepsFact(d, "At Step"),
      fact("Last Finite Loss", last),
    ),
    hint: "Training may go on producing nothing useful: check the learning rate, mixed-precision scaling and the data batch at that step.",
    link: jobLink(jobId),
  };
};
