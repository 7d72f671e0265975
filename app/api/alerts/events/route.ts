import { randomUUID } from "node:crypto";
import { eventInputSchema } from "@/lib/alerts/api/events.schema";
import { insertEventAndNotify } from "@/lib/alerts/sql/events";
import { HttpError } from "@/lib/http/errors";
import { json, route } from "@/lib/http/route";
import { WAKE_CHANNEL } from "@/lib/queue/queue";
import { wakeInbox } from "@/lib/queue/wake";

export const dynamic = "force-dynamic";

/**
 * Accepts an event from a producer. It is stored durably before the 202; a
 * repeated `event_id` or `Idempotency-Key` answers the first event's id with
 * `duplicate: true`.
 */
export const POST = route(
  { access: "service", body: eventInputSchema },
  async ({ ctx, req, body }) => {
    const header = req.headers.get("idempotency-key");
    if (header !== null && !/^[\x21-\x7e]{1,255}$/.test(header)) {
      throw HttpError.field("Idempotency-Key", "must be 1–255 visible ASCII characters");
    }
    const now = ctx.clock();
    // One statement (insert + NOTIFY, atomic on its own): ingest is the hot
    // path, and on PGlite every round trip queues behind the worker's queries.
    // Workers in other processes hear the NOTIFY at its commit.
    const result = await insertEventAndNotify(
      ctx.db,
      {
        id: body.event_id ?? randomUUID(),
        idempotencyKey: header ? `key:${header}` : null,
        type: body.type,
        userId: body.user_id.toLowerCase(),
        jobId: body.job_id?.toLowerCase() ?? null,
        occurredAt: body.occurred_at ? new Date(body.occurred_at) : now,
        data: body.data,
        source: "api",
        receivedAt: now,
      },
      WAKE_CHANNEL,
    );
    if (!result.duplicate) wakeInbox();
    return json({ event_id: result.id, duplicate: result.duplicate }, 202);
  },
);
