import { getContext } from "@/lib/server/context";
import { getSession } from "./_lib/session";

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
            <a href="/settings/alerts">
              <strong>Settings</strong>
              <span>Email, alert types, quiet hours and reports</span>
            </a>
          </li>
          <li>
            <a href="/settings/alerts/webhooks">
              <strong>Webhooks</strong>
              <span>Slack, Discord and signed JSON endpoints</span>
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
              Read the email in the <a href="/dev/outbox">Outbox</a>, then add a webhook and press
              “Send test”.
            </li>
          </ol>
        </section>
      ) : null}
      <p className="hint">
        For programs: the <a href="/api/openapi.json">API description (OpenAPI 3.1)</a> and{" "}
        <a href="/api/health">health</a>.
      </p>
    </main>
  );
}
