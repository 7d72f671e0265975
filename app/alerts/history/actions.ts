"use server";

import { randomUUID } from "node:crypto";
import { refresh } from "next/cache";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { EVENT_TYPES, type EventType } from "@/lib/alerts";
import { getContext } from "@/lib/server/context";
import { callApi } from "../../_lib/api";
import { actionSession } from "../../_lib/session";

export interface SampleState {
  tone?: "ok" | "bad";
  message?: string;
}

const SAMPLE_DATA: Record<EventType, Record<string, unknown>> = {
  job_started: { model_name: "sample-llama-7b", current_step: 0, total_steps: 5000, gpu_count: 2 },
  job_completed: {
    model_name: "sample-llama-7b",
    duration_seconds: 9240,
    final_loss: 0.342,
    current_step: 5000,
    total_steps: 5000,
  },
  job_failed: {
    model_name: "sample-llama-7b",
    duration_seconds: 2700,
    current_step: 1800,
    total_steps: 5000,
    error:
      'Traceback (most recent call last):\n  File "train.py", line 212, in <module>\n    loss.backward()\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.',
  },
  job_cancelled: { model_name: "sample-llama-7b", current_step: 900, total_steps: 5000 },
  gpu_oom: {
    model_name: "sample-llama-7b",
    log_excerpt:
      "RuntimeError: CUDA out of memory. Tried to allocate 1.50 GiB (GPU 0; 23.65 GiB total)",
  },
  disk_warning: { disk_path: "/mnt/checkpoints", disk_used_percent: 96 },
  timeout_warning: { model_name: "sample-llama-7b", minutes_without_progress: 45 },
  loss_diverged: {
    model_name: "sample-llama-7b",
    loss: "nan",
    last_finite_loss: 2.71,
    current_step: 1840,
    total_steps: 5000,
  },
  group_completed: {
    group: "sample-sweep",
    jobs: 20,
    completed: 15,
    failed: 5,
    cancelled: 0,
    top_failure_reason: "torch.OutOfMemoryError: CUDA out of memory.",
    top_failure_count: 4,
    best_final_loss: 0.287,
    best_model_name: "sample-llama-7b-lr3e-4",
    gpu_hours: 312.5,
  },
};

const OUTCOME_TEXT: Record<string, string> = {
  alerted: "It became an alert; it is at the top of the list below.",
  deferred: "It became an alert, held until your quiet hours end (see below).",
  suppressed: "It was recorded but not sent: you are over the hourly alert limit.",
  no_channels:
    "No alert: no channel of yours takes this type. Turn it on in Settings (email) or on a webhook.",
  deduplicated: "No alert: the same event was already reported.",
  below_threshold: "No alert: the value is below the alert threshold.",
  muted: "No alert: you muted this job, group or type for now.",
};

/**
 * Local mode only: posts a sample event for the signed-in user through the
 * real ingest route (with the service key, as a training server would), then
 * waits briefly for the worker to process it, so the newcomer sees the alert
 * appear — and the email land in the outbox — right away.
 */
export async function sendSampleEvent(_prev: SampleState, form: FormData): Promise<SampleState> {
  const ctx = await getContext();
  if (!ctx.config.localMode)
    return { tone: "bad", message: "Sample events exist only in local mode." };
  const session = await actionSession();
  if (!session) return { tone: "bad", message: "Your session has ended; sign in again." };
  const type = String(form.get("type") ?? "");
  if (!(EVENT_TYPES as readonly string[]).includes(type)) {
    return { tone: "bad", message: `Choose one of: ${EVENT_TYPES.join(", ")}.` };
  }
  const eventType = type as EventType;
  const result = await callApi<{ event_id: string }>(
    ctx.config.serviceKey,
    postEvent,
    "POST",
    "/api/alerts/events",
    {
      body: {
        type: eventType,
        user_id: session.userId,
        job_id:
          eventType === "disk_warning" || eventType === "group_completed"
            ? undefined
            : randomUUID(),
        data: SAMPLE_DATA[eventType],
      },
    },
  );
  if (!result.ok) return { tone: "bad", message: result.problem.detail };

  const outcome = await waitForOutcome(ctx, result.data.event_id);
  refresh();
  return {
    tone: outcome === "alerted" || outcome === "deferred" ? "ok" : "bad",
    message: `Sent a sample ${eventType} event. ${
      outcome
        ? (OUTCOME_TEXT[outcome] ?? `Outcome: ${outcome}.`)
        : "It is still being processed; it will show up below in a moment."
    } ${
      outcome && outcome !== "alerted" && outcome !== "deferred"
        ? "Every event and its outcome are listed under History → Events."
        : ""
    }`.trim(),
  };
}

/** The inline worker processes an event in milliseconds; give up after 3 s. */
async function waitForOutcome(
  ctx: Awaited<ReturnType<typeof getContext>>,
  eventId: string,
): Promise<string | undefined> {
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    const { rows } = await ctx.db.query<{ outcome: string | null }>(
      "select outcome from alert_events where id = $1 and processed_at is not null",
      [eventId],
    );
    if (rows[0]) return rows[0].outcome ?? undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}
