import { getContext } from "@/lib/server/context";
import { getSession } from "./_lib/session";
import { CopyField } from "./_ui/copy-field";
import { WEBHOOK_SERVICES } from "./_ui/labels";

// Per-user pages: rendered at request time, never prerendered at build time.
export const dynamic = "force-dynamic";

export default async function Home() {
  const ctx = await getContext();
  const session = await getSession();
  const local = ctx.config.localMode;
  return (
    <main id="main" className="narrow">
      <h1>Training Alerts</h1>
      <p className="lede">
        Hear when a training job starts, finishes, fails or is cancelled, when a GPU runs out of
        memory, a disk fills up or a job stalls — by email, Slack, Discord or a signed webhook.
      </p>
      {session ? (
        <ul className="link-cards">
          <li>
            <a href="/training">
              <strong>Jobs</strong>
              <span>Your training jobs, their loss curves and alerts</span>
            </a>
          </li>
          <li>
            <a href="/settings/alerts">
              <strong>Settings</strong>
              <span>Email, alert types, quiet hours and reports</span>
            </a>
          </li>
          <li>
            <a href="/settings/alerts/webhooks">
              <strong>Webhooks</strong>
              <span>{WEBHOOK_SERVICES} and signed JSON endpoints</span>
            </a>
          </li>
          <li>
            <a href="/alerts/history">
              <strong>History</strong>
              <span>What was sent, when, and why not</span>
            </a>
          </li>
          {local ? (
            <li>
              <a href="/dev/outbox">
                <strong>Outbox</strong>
                <span>The emails local mode wrote instead of sending</span>
              </a>
            </li>
          ) : null}
        </ul>
      ) : (
        <p>
          <a className="button primary" href="/signin">
            Sign in
          </a>
        </p>
      )}
      {local ? (
        <section className="card" aria-labelledby="first-minute">
          <h2 id="first-minute" className="h3">
            Your first minute (local mode)
          </h2>
          <ol>
            <li>Sign in with any email address.</li>
            <li>
              On <a href="/alerts/history">History</a>, press “Send a sample event”: it is posted
              like a training server would, becomes an alert and is emailed.
            </li>
            <li>
              Read the email in the <a href="/dev/outbox">Outbox</a>, then add a webhook pointing at
              your <a href="/dev/receiver">test receiver</a> and press “Send test”.
            </li>
          </ol>
        </section>
      ) : null}
      {session ? (
        <section className="card stack" aria-labelledby="your-ids">
          <h2 id="your-ids" className="h3">
            Connect a training server
          </h2>
          <CopyField label="Your user id" value={session.userId} />
          {local ? (
            <>
              <CopyField label="Service key (local mode)" value={ctx.config.serviceKey} />
              <CopyField
                label="Report an event with curl"
                multiline
                value={curlSnippet(ctx.config.appUrl, ctx.config.serviceKey, session.userId)}
              />
              <CopyField
                label="Or from Python (integrations/python/training_alerts.py)"
                multiline
                value={pythonSnippet(ctx.config.appUrl, ctx.config.serviceKey, session.userId)}
              />
            </>
          ) : (
            <p className="hint">
              Producers post events with the service key your operator gave you (
              <code>ALERTS_SERVICE_KEY</code>) and this user id.
            </p>
          )}
        </section>
      ) : null}
      <p className="hint">
        For programs: the <a href="/api/openapi.json">API description (OpenAPI 3.1)</a> and{" "}
        <a href="/api/health">health</a>.
      </p>
    </main>
  );
}

function curlSnippet(appUrl: string, key: string, userId: string): string {
  return [
    `curl -X POST ${appUrl}/api/alerts/events \\`,
    `  -H "Authorization: Bearer ${key}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"type": "job_failed", "user_id": "${userId}", "job_id": "'$(python3 -c 'import uuid; print(uuid.uuid4())')'", "data": {"model_name": "my-model", "error": "CUDA out of memory"}}'`,
  ].join("\n");
}

function pythonSnippet(appUrl: string, key: string, userId: string): string {
  return [
    `export ALERTS_URL=${appUrl}`,
    `export ALERTS_SERVICE_KEY=${key}`,
    `export ALERTS_USER_ID=${userId}`,
    "# then, in training_server.py:",
    "#   from training_alerts import TrainingAlerts",
    "#   alerts = TrainingAlerts.from_env()",
    '#   with alerts.job(model_name="my-model", total_steps=5000) as job:',
    "#       train()",
  ].join("\n");
}
