import type { AlertCard } from "./card";
import { withFields } from "./with-fields";

/** A generic webhook's body: `{ type, timestamp, data }` (DESIGN.md §6). */
export function formatGeneric(card: AlertCard): {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
} {
  return {
    type: card.type,
    timestamp: card.createdAt.toISOString(),
    data: withFields(card.data, {
      alert_id: card.id,
      job_id: card.jobId,
      title: card.title,
      message: card.message,
    }),
  };
}
