import { randomUUID } from "node:crypto";
import {
  decodeCursor,
  describeOutcome,
  encodeCursor,
  eventInputSchema,
  getJob,
  inboxQuerySchema,
  insertEventAndNotify,
  isBelowDiskThreshold,
  jobNotFound,
  listInboxEvents,
} from "@/lib/alerts";
import { withUser } from "@/lib/db/with-user";
import { HttpError } from "@/lib/http/errors";
import { actingUserId, mayAccessJob } from "@/lib/http/producer-keys";
import { json, route } from "@/lib/http/route";
import { WAKE_CHANNEL } from "@/lib/queue/queue";
import { wakeInbox } from "@/lib/queue/wake";

export const dynamic = "force-dynamic";

/**
 * Accepts an event from a producer. It is stored durably before the 202; a
 * repeated `event_id` or `Idempotency-Key` answers the first event's id with
 * `duplicate: true`; a `user_id` with no account (on Supabase) is 422
 * `unknown_user` and is not stored. `outcome_hint` says when the event is
 * already known to alert no one (docs/decisions.md).
 */
export const POST = route(
  { access: "service", body: eventInputSchema },
  async ({ ctx, req, caller, body }) => {
    const userId = actingUserId(caller, body.user_id);
    const jobId = body.job_id?.toLowerCase() ?? null;
    if (jobId && caller.kind === "producer") {
      // A key may not report about another user's job (whose job_* events it would preempt).
      const job = await getJob(ctx.db, jobId);
      if (job && !mayAccessJob(caller, job.user_id)) throw jobNotFound();
    }
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
        // Per user: producer keys are tenants' credentials, and one tenant's
        // key must never make another's event a "duplicate".
        idempotencyKey: header ? `key:${userId}:${header}` : null,
        type: body.type,
        userId,
        jobId,
        occurredAt: body.occurred_at ? new Date(body.occurred_at) : now,
        data: body.data,
        source: "api",
        receivedAt: now,
      },
      WAKE_CHANNEL,
    );
    if (result.unknownUser) {
      // On Supabase, a user_id with no account: the inbox references
      // auth.users (deleting a user deletes their events), so the event cannot
      // be stored; refusing it says so, where a 202 would be silently dropped.
      ctx.log.warn(
        { event_id: result.id, user_id: userId, type: body.type },
        "event refused: its user_id is not a user of this project",
      );
      throw unknownUser();
    }
    if (result.otherUsers) {
      throw new HttpError(
        "conflict",
        "This event_id belongs to another event; leave event_id out (or send a new UUID) and use Idempotency-Key for retries.",
      );
    }
    if (!result.duplicate) wakeInbox();
    // The insert provisioned or found the user: it has an auth.users row (route.ts relies on it).
    ctx.knownUsers.add(userId);
    // Certain from the body and the server's setting alone, so it costs nothing;
    // the event is stored all the same and shows in the Events view.
    const hint = isBelowDiskThreshold(body.type, body.data, ctx.config.diskThresholdPercent)
      ? ({ outcome_hint: "below_threshold" } as const)
      : {};
    return json({ event_id: result.id, duplicate: result.duplicate, ...hint }, 202);
  },
);

/**
 * The caller's recent inbox events, newest first, each with its outcome and a
 * sentence saying why it did or did not alert. Read as the user, under RLS.
 */
export const GET = route(
  { access: "user", query: inboxQuerySchema },
  async ({ ctx, user, query }) => {
    const { rows, timeZone } = await withUser(ctx.db, user.userId, async (tx) => {
      const prefs = await tx.query<{ timezone: string | null }>(
        "select timezone from user_alert_preferences where user_id = $1",
        [user.userId],
      );
      const rows = await listInboxEvents(tx, user.userId, {
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
        limit: query.limit + 1,
      });
      return { rows, timeZone: prefs.rows[0]?.timezone ?? "UTC" };
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const opts = { diskThresholdPercent: ctx.config.diskThresholdPercent, timeZone };
    return json({
      items: page.map((e) => ({
        event_id: e.id,
        type: e.type,
        job_id: e.job_id,
        occurred_at: e.occurred_at,
        received_at: e.received_at,
        processed_at: e.processed_at,
        outcome: e.outcome,
        outcome_text: describeOutcome(e, opts),
        alert_id: e.alert_id,
        duplicate_of: e.duplicate_of,
        data: e.data,
      })),
      next_cursor: rows.length > query.limit && last ? encodeCursor(last.cursor_ts, last.id) : null,
    });
  },
);

/** 422 `unknown_user`, naming the field and the fix. */
function unknownUser(): HttpError {
  const message =
    "is not a user of this project (no such id in auth.users): create the user in Supabase Auth first, or send the id of an existing user (the sub of their access token)";
  return new HttpError("unknown_user", `user_id: ${message}`, {
    errors: [{ path: "user_id", message }],
  });
}
