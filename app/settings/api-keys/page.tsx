import type { Metadata } from "next";
import { GET } from "@/app/api/alerts/keys/route";
import { GET as getPreferences } from "@/app/api/alerts/preferences/route";
import { MAX_PRODUCER_KEYS_PER_USER } from "@/lib/http/producer-keys";
import { getContext } from "@/lib/server/context";
import { callApi, type KeyJson, type PreferencesJson } from "../../_lib/api";
import { requireSession } from "../../_lib/session";
import { formatWhen } from "../../_ui/format";
import { ProblemBanner } from "../../_ui/problem-banner";
import { KeysPanel } from "./keys-panel";

// Per-user pages: rendered at request time, never prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "API keys · Training Alerts" };

export default async function ApiKeysPage() {
  const session = await requireSession("/settings/api-keys");
  const ctx = await getContext();
  const [list, prefs] = await Promise.all([
    callApi<{ items: KeyJson[] }>(session.token, GET, "GET", "/api/alerts/keys"),
    callApi<PreferencesJson>(session.token, getPreferences, "GET", "/api/alerts/preferences"),
  ]);
  const zone = prefs.ok ? prefs.data.timezone : "UTC";
  return (
    <main id="main">
      <h1>API keys</h1>
      <p className="lede">
        A personal key lets a training server report your jobs: it acts as you only, and you can
        revoke it at any time. Times are shown in {zone}. Wrap any training command with it, no code
        changes:
      </p>
      <pre className="code">
        <code>
          {`pip install ./integrations/python
export ALERTS_URL=${ctx.config.appUrl} ALERTS_API_KEY=tak_…
training-alerts run --name my-model -- python train.py`}
        </code>
      </pre>
      {list.ok ? (
        <KeysPanel
          max={MAX_PRODUCER_KEYS_PER_USER}
          items={list.data.items.map((k) => ({
            ...k,
            createdText: formatWhen(k.created_at, zone),
            lastUsedText: k.last_used_at ? formatWhen(k.last_used_at, zone) : "never",
          }))}
        />
      ) : (
        <ProblemBanner problem={list.problem} />
      )}
    </main>
  );
}
