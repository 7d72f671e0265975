import { durationFact, jobLink, lossFact, modelFact, present, stepsFact } from "./facts";
import type { AlertTemplate } from "./template.types";

/** test: what "Send test" delivers; shows sample job facts when given some. */
export const testAlert: AlertTemplate = (d, jobId) => ({
  headline: "🔔 Test Alert",
  title: "🔔 Test alert",
  level: "info",
  summary: "This is a test alert from Training Alerts. If you can read it, this channel works.",
  facts: present(modelFact(d), durationFact(d), lossFact(d), stepsFact(d)),
  link: jobLink(jobId),
});
