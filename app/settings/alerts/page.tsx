import type { Metadata } from "next";
import { GET } from "@/app/api/alerts/preferences/route";
import { getContext } from "@/lib/server/context";
import { callApi, type PreferencesJson } from "../../_lib/api";
import { requireSession } from "../../_lib/session";
import { timeZoneNames } from "../../_ui/format";
import { WEBHOOK_SERVICES } from "../../_ui/labels";
import { ProblemBanner } from "../../_ui/problem-banner";
import { PreferencesForm } from "./preferences-form";

// Per-user pages: rendered at request time, never prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Alert settings · Training Alerts" };

export default async function AlertSettingsPage() {
  const session = await requireSession("/settings/alerts");
  const ctx = await getContext();
  const prefs = await callApi<PreferencesJson>(
    session.token,
    GET,
    "GET",
    "/api/alerts/preferences",
  );
  return (
    <main id="main">
      <h1>Alert settings</h1>
      <p className="lede">
        Choose which training events reach you by email, when to stay quiet, and which reports to
        get. Webhooks ({WEBHOOK_SERVICES}, your own endpoint) have their own switches on the{" "}
        <a href="/settings/alerts/webhooks">Webhooks</a> page.
      </p>
      {prefs.ok ? (
        <PreferencesForm
          initial={prefs.data}
          signInEmail={session.email}
          initialNow={ctx.clock().toISOString()}
          diskThresholdPercent={ctx.config.diskThresholdPercent}
          timeoutMinutes={ctx.config.timeoutMinutes}
        />
      ) : (
        <ProblemBanner problem={prefs.problem} />
      )}
      <datalist id="time-zones">
        {timeZoneNames().map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </main>
  );
}
