import type { AlertType, SystemAlertType } from "../alert.types";
import { asText, errorTail, formatDuration, formatLoss, formatSteps } from "./text";

export interface AlertText {
  title: string;
  message: string;
}

/**
 * The title and plain message of an alert, as history stores them and as
 * every channel starts from. Pure: a function of the type and the event data.
 */
export function alertText(
  type: AlertType | SystemAlertType,
  data: Record<string, unknown>,
): AlertText {
  const model = asText(data.model_name) ?? "Training job";
  const facts = (...parts: (string | undefined)[]) => parts.filter(Boolean).join(" · ");
  const duration = formatDuration(data.duration_seconds);
  const loss = formatLoss(data.final_loss);
  const steps = formatSteps(data.current_step, data.total_steps);
  switch (type) {
    case "job_started":
      return {
        title: `🚀 Training started: ${model}`,
        message: facts(`${model} is running`, steps && `steps ${steps}`),
      };
    case "job_completed":
      return {
        title: `✅ Training complete: ${model}`,
        message: facts(
          `${model} finished`,
          duration && `duration ${duration}`,
          loss && `final loss ${loss}`,
          steps && `steps ${steps}`,
        ),
      };
    case "job_failed":
      return {
        title: `❌ Training failed: ${model}`,
        message: [
          facts(`${model} failed`, duration && `after ${duration}`, steps && `at step ${steps}`),
          errorTail(data.error),
        ]
          .filter(Boolean)
          .join("\n"),
      };
    case "job_cancelled":
      return {
        title: `⏹️ Training cancelled: ${model}`,
        message: facts(
          `${model} was cancelled`,
          duration && `after ${duration}`,
          steps && `at step ${steps}`,
        ),
      };
    case "gpu_oom":
      return {
        title: `💥 GPU out of memory: ${model}`,
        message: [`${model} ran out of GPU memory.`, errorTail(data.log_excerpt, 8)]
          .filter(Boolean)
          .join("\n"),
      };
    case "disk_warning": {
      const path = asText(data.disk_path) ?? "a disk";
      const used =
        typeof data.disk_used_percent === "number"
          ? `${Math.round(data.disk_used_percent)}%`
          : "nearly";
      return {
        title: `💾 Disk ${used} full: ${path}`,
        message: `${path} is ${used} full; training may fail when it fills up.`,
      };
    }
    case "timeout_warning": {
      const minutes =
        typeof data.minutes_without_progress === "number"
          ? Math.round(data.minutes_without_progress)
          : undefined;
      return {
        title: `⏳ No progress: ${model}`,
        message: facts(
          minutes !== undefined
            ? `${model} has made no progress for ${minutes} minutes`
            : `${model} has stopped making progress`,
          steps && `last step ${steps}`,
        ),
      };
    }
    case "daily_summary":
      return {
        title: "📊 Daily training summary",
        message: asText(data.summary) ?? "Your training summary for the day.",
      };
    case "weekly_digest":
      return {
        title: "📈 Weekly training digest",
        message: asText(data.summary) ?? "Your training digest for the week.",
      };
    case "rate_limit_notice": {
      const n = typeof data.suppressed_count === "number" ? data.suppressed_count : 0;
      return {
        title: `🔕 ${n} alert${n === 1 ? " was" : "s were"} not sent`,
        message: `You reached the limit of ${String(data.limit_per_hour ?? "")} alerts per hour, so ${n} alert${n === 1 ? " was" : "s were"} recorded in your history but not sent. Alerts are flowing again.`,
      };
    }
    case "webhook_disabled":
      return {
        title: `⚠️ Webhook disabled: ${asText(data.webhook_name) ?? "webhook"}`,
        message: `${asText(data.webhook_name) ?? "A webhook"} was disabled: ${asText(data.reason) ?? "it kept failing"}. Fix it and enable it again in your alert settings.`,
      };
    case "test":
      return {
        title: "🔔 Test alert",
        message:
          "This is a test alert from Training Alerts. If you can read it, the webhook works.",
      };
  }
}
