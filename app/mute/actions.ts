"use server";

import { redirect } from "next/navigation";
import { verifyMuteToken } from "@/lib/alerts/mute-link";
import { upsertMute } from "@/lib/alerts/sql/upsert-mute";
import { getContext } from "@/lib/server/context";

/**
 * The one-click mute: the signed token is the credential (no sign-in), so
 * anyone holding the alert can mute what it names, for the hours it names,
 * while the link is valid. Undoing needs a sign-in.
 */
export async function muteFromLink(form: FormData): Promise<void> {
  const ctx = await getContext();
  const token = String(form.get("t") ?? "");
  const now = ctx.clock();
  const check = verifyMuteToken(
    token,
    ctx.config.encryptionKeys.map((k) => k.key),
    now,
  );
  if (check.ok) {
    const { grant } = check;
    await upsertMute(ctx.db, {
      userId: grant.userId,
      scope: grant.scope,
      value: grant.value,
      until: new Date(now.getTime() + grant.hours * 3600_000),
      via: "link",
      now,
    });
    ctx.log.info(
      { user_id: grant.userId, scope: grant.scope, value: grant.value, hours: grant.hours },
      "muted from an alert's link",
    );
  }
  redirect(`/mute?t=${encodeURIComponent(token)}${check.ok ? "&done=1" : ""}`);
}
