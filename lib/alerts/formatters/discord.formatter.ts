import { type AlertCard, jobUrl } from "./card";
import { alertError, alertFields, truncate } from "./fields";

const RED = 15158332;
const GREEN = 3066993;
const AMBER = 15105570;
const BLUE = 3447003;

const COLOURS: Record<string, number> = {
  job_failed: RED,
  gpu_oom: RED,
  job_completed: GREEN,
  disk_warning: AMBER,
  timeout_warning: AMBER,
  job_cancelled: AMBER,
  webhook_disabled: AMBER,
  rate_limit_notice: AMBER,
};

/** A Discord webhook payload shaped like the seed's example (one embed). Pure. */
export function formatDiscord(card: AlertCard): Record<string, unknown> {
  const fields = alertFields(card).map((f) => ({
    name: truncate(f.name, 256),
    value: truncate(f.value, 1024),
    inline: true,
  }));
  const error = alertError(card);
  if (error)
    fields.push({ name: "Error", value: truncate(`\`\`\`${error}\`\`\``, 1024), inline: false });
  return {
    embeds: [
      {
        title: truncate(card.title, 256),
        description: fields.length === 0 ? truncate(card.message, 4096) : undefined,
        url: jobUrl(card),
        color: COLOURS[card.type] ?? BLUE,
        fields: fields.slice(0, 25),
        footer: card.jobId ? { text: truncate(`Job ID: ${card.jobId}`, 2048) } : undefined,
        timestamp: card.createdAt.toISOString(),
      },
    ],
  };
}
