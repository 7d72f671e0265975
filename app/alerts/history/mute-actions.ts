"use server";

import { refresh } from "next/cache";
import { DELETE as deleteMute } from "@/app/api/alerts/mutes/[id]/route";
import { POST as postMute } from "@/app/api/alerts/mutes/route";
import { zonedTimeToInstant } from "@/lib/alerts";
import { callApi } from "../../_lib/api";
import { actionSession } from "../../_lib/session";

export interface MuteState {
  tone?: "ok" | "bad";
  message?: string;
}

/**
 * Mutes what the form names (`target` = `scope:value`) for a duration or
 * until a local date and time in the user's zone, through the API.
 */
export async function muteAction(_prev: MuteState, form: FormData): Promise<MuteState> {
  const session = await actionSession();
  if (!session) return { tone: "bad", message: "Your session has ended; sign in again." };
  const target = String(form.get("target") ?? "");
  const colon = target.indexOf(":");
  const scope = target.slice(0, colon);
  const value = target.slice(colon + 1);
  const duration = String(form.get("duration") ?? "8h");
  const body: Record<string, string> = { scope, value };
  if (duration === "until") {
    const local = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(String(form.get("until") ?? ""));
    if (!local) return { tone: "bad", message: "Pick the date and time the mute should end." };
    const [, y, mo, d, h, mi] = local.map(Number);
    body.until = zonedTimeToInstant(
      { year: y ?? 0, month: mo ?? 0, day: d ?? 0, hour: h ?? 0, minute: mi ?? 0 },
      String(form.get("zone") ?? "UTC"),
    ).toISOString();
  } else {
    body.duration = duration;
  }
  const res = await callApi<{ muted_until: string }>(
    session.token,
    postMute,
    "POST",
    "/api/alerts/mutes",
    { body },
  );
  if (!res.ok) {
    return { tone: "bad", message: res.problem.errors[0]?.message ?? res.problem.detail };
  }
  refresh();
  return { tone: "ok", message: `Muted until ${new Date(res.data.muted_until).toUTCString()}.` };
}

export async function unmuteAction(form: FormData): Promise<void> {
  const session = await actionSession();
  if (!session) return;
  await callApi(session.token, deleteMute, "DELETE", "/api/alerts/mutes/{id}", {
    params: { id: String(form.get("id") ?? "") },
  });
  refresh();
}
