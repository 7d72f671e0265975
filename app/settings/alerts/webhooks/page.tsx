import type { Metadata } from "next";
import { GET as getPreferences } from "@/app/api/alerts/preferences/route";
import { GET } from "@/app/api/alerts/webhooks/route";
import { MAX_WEBHOOKS_PER_USER } from "@/lib/alerts";
import { callApi, type PreferencesJson, type WebhookJson } from "../../../_lib/api";
import { requireSession } from "../../../_lib/session";
import { formatWhen } from "../../../_ui/format";
import { WEBHOOK_SERVICES } from "../../../_ui/labels";
import { ProblemBanner } from "../../../_ui/problem-banner";
import { WebhooksPanel } from "./webhooks-panel";

// Per-user pages: rendered at request time, never prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Webhooks · Training Alerts" };

export default async function WebhooksPage() {
  const session = await requireSession("/settings/alerts/webhooks");
  const [list, prefs] = await Promise.all([
    callApi<{ items: WebhookJson[] }>(session.token, GET, "GET", "/api/alerts/webhooks"),
    callApi<PreferencesJson>(session.token, getPreferences, "GET", "/api/alerts/preferences"),
  ]);
  const zone = prefs.ok ? prefs.data.timezone : "UTC";
  return (
    <main id="main">
      <h1>Webhooks</h1>
      <p className="lede">
        Send alerts to {WEBHOOK_SERVICES} or your own endpoint. Each webhook has its own choice of
        alert types; a generic webhook can be signed (Standard Webhooks) so your endpoint can check
        that the request came from here. Times are shown in {zone}.
      </p>
      {list.ok ? (
        <WebhooksPanel
          max={MAX_WEBHOOKS_PER_USER}
          items={list.data.items.map((w) => ({
            ...w,
            lastSuccessText: formatWhen(w.last_success_at, zone),
            lastFailureText: formatWhen(w.last_failure_at, zone),
          }))}
        />
      ) : (
        <ProblemBanner problem={list.problem} />
      )}
    </main>
  );
}
