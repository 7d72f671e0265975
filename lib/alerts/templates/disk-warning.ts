import { fact, jobLink, modelFact, percentFact, present } from "./facts";
import type { AlertTemplate } from "./template.types";
import { asLine, formatPercent } from "./text";

/** disk_warning: a disk is nearly full. */
export const diskWarning: AlertTemplate = (d, jobId) => {
  const path = asLine(d.disk_path);
  const used = formatPercent(d.disk_used_percent);
  return {
    headline: "💾 Disk Almost Full",
    title: `💾 Disk ${used ?? "almost"} full${path ? `: ${path}` : ""}`,
    level: "warning",
    summary: `${path ?? "A disk"} is ${used ?? "almost"} full; training fails when it fills up.`,
    facts: present(fact("Path", path), percentFact("Used", d.disk_used_percent), modelFact(d)),
    hint: "Free some space or move checkpoints elsewhere before saves start to fail.",
    link: jobLink(jobId),
  };
};
