import { asText, errorTail, formatDuration, formatLoss, formatSteps } from "../templates/text";
import type { AlertCard } from "./card";

/** The labelled facts of an alert that chat formatters show as fields. Pure. */
export function alertFields(card: AlertCard): { name: string; value: string }[] {
  const d = card.data;
  const fields: { name: string; value: string | undefined }[] = [
    { name: "Model", value: asText(d.model_name) },
    { name: "Duration", value: formatDuration(d.duration_seconds) },
    { name: "Final Loss", value: formatLoss(d.final_loss) },
    { name: "Steps", value: formatSteps(d.current_step, d.total_steps) },
    { name: "Disk", value: asText(d.disk_path) },
    {
      name: "Used",
      value:
        typeof d.disk_used_percent === "number" ? `${Math.round(d.disk_used_percent)}%` : undefined,
    },
    {
      name: "Without progress",
      value:
        typeof d.minutes_without_progress === "number"
          ? `${Math.round(d.minutes_without_progress)} min`
          : undefined,
    },
  ];
  return fields.filter((f): f is { name: string; value: string } => f.value !== undefined);
}

/** The error (or OOM log excerpt) worth showing, in its informative tail. */
export const alertError = (card: AlertCard) =>
  errorTail(card.data.error) ?? errorTail(card.data.log_excerpt, 8);

/** Cuts text to `max` characters with an ellipsis. */
export const truncate = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;
