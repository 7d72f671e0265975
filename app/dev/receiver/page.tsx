import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { openDestination } from "@/lib/alerts";
import { withUser } from "@/lib/db/with-user";
import { getContext } from "@/lib/server/context";
import { checkSignature, getInbox, REPLY_STATUSES } from "@/lib/web/dev-receiver";
import { requireSession } from "../../_lib/session";
import { CopyField } from "../../_ui/copy-field";
import { formatWhen } from "../../_ui/format";
import { chooseReplyStatus, clearReceiver } from "./actions";
import { ReceiverRefresh } from "./receiver-refresh";

// Per-user pages: rendered at request time, never prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Test receiver · Training Alerts" };

const REPLY_LABELS: Record<number, string> = {
  200: "200 OK (delivered)",
  400: "400 Bad Request (fails at once)",
  500: "500 Server Error (retried later)",
};

/** Local mode only: a webhook endpoint inside the server that shows what it received. */
export default async function ReceiverPage() {
  const ctx = await getContext();
  if (!ctx.config.localMode) notFound();
  const session = await requireSession("/dev/receiver");
  const inbox = getInbox(session.userId);
  const url = `${ctx.config.appUrl}/dev/receiver/${session.userId}`;
  // The user's signing secrets, to check what arrived (read under RLS, as the user).
  const secrets = await withUser(ctx.db, session.userId, async (tx) => {
    const { rows } = await tx.query<{ id: string; name: string; url: string; secret: string }>(
      "select id, name, url, secret from user_webhooks where secret is not null order by created_at",
    );
    return rows.flatMap((r) => {
      const opened = openDestination(ctx.config.encryptionKeys, {
        webhookId: r.id,
        kind: "generic",
        url: r.url,
        secret: r.secret,
      });
      return opened.ok && opened.destination.secret
        ? [{ name: r.name, secret: opened.destination.secret }]
        : [];
    });
  });
  return (
    <main id="main">
      <h1>Test receiver</h1>
      <p className="lede">
        A webhook endpoint inside this server, for trying alerts without an account anywhere. Add a
        webhook (type “Generic”, with a generated secret) pointing at this URL, press “Send test”,
        and the request shows up below with its headers, body and whether its signature verifies.
      </p>
      <section className="card stack" aria-labelledby="receiver-url">
        <h2 id="receiver-url" className="h3">
          Your receiver
        </h2>
        <CopyField label="Receiver URL" value={url} />
        <form action={chooseReplyStatus} className="row">
          <div className="field">
            <label htmlFor="reply-status">Answer requests with</label>
            <select id="reply-status" name="status" defaultValue={String(inbox.replyStatus)}>
              {REPLY_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {REPLY_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
          <div className="field align-end">
            <button type="submit">Save</button>
          </div>
        </form>
        <p className="hint">
          Now answering <strong data-testid="reply-status">{inbox.replyStatus}</strong>. Requests
          are kept in memory (the newest 50) until the server restarts.
        </p>
      </section>

      <section aria-labelledby="received-heading" className="stack">
        <div className="row">
          <h2 id="received-heading">
            Received <span className="hint">({inbox.requests.length})</span>
          </h2>
          <ReceiverRefresh />
          {inbox.requests.length > 0 ? (
            <form action={clearReceiver}>
              <button type="submit" className="link-button">
                Clear
              </button>
            </form>
          ) : null}
        </div>
        {inbox.requests.length === 0 ? (
          <div className="empty card">
            <p>
              <strong>Nothing yet.</strong> Point a webhook at the URL above and press “Send test”
              on <a href="/settings/alerts/webhooks">Webhooks</a>.
            </p>
          </div>
        ) : (
          <ul className="history-list" aria-label="Received requests">
            {inbox.requests.map((r) => {
              const check = checkSignature(r, secrets);
              return (
                <li key={r.seq} className="history-item received-request">
                  <details open={r === inbox.requests[0]}>
                    <summary>
                      <span className="history-summary">
                        <span className="history-title">
                          {r.method} #{r.seq} {summaryOf(r.body)}
                        </span>
                        <span className="history-meta">
                          <span className={`badge ${r.status < 300 ? "badge-good" : "badge-bad"}`}>
                            answered {r.status}
                          </span>
                          <span
                            className={`badge ${
                              check.state === "verified"
                                ? "badge-good"
                                : check.state === "unsigned"
                                  ? "badge-muted"
                                  : "badge-bad"
                            }`}
                          >
                            {check.state === "verified"
                              ? "signature verified"
                              : check.state === "unsigned"
                                ? "not signed"
                                : "signature does not verify"}
                          </span>
                          <time dateTime={r.at.toISOString()}>
                            {formatWhen(r.at.toISOString(), "UTC")}
                          </time>
                        </span>
                      </span>
                    </summary>
                    <div className="history-body stack">
                      <p className="signature-check">
                        {check.state === "verified"
                          ? `Signature verified with the secret of “${check.by}” (Standard Webhooks v1).`
                          : check.state === "unsigned"
                            ? "No Standard Webhooks signature headers: the webhook has no secret."
                            : `Signature does not verify: ${check.detail}.`}
                      </p>
                      <h3 className="h4">Headers</h3>
                      <pre className="preview-block received-headers">
                        {Object.entries(r.headers)
                          .map(([k, v]) => `${k}: ${v}`)
                          .join("\n")}
                      </pre>
                      <h3 className="h4">Body</h3>
                      <pre className="preview-block received-body">{pretty(r.body)}</pre>
                    </div>
                  </details>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </main>
  );
}

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** The alert's type, when the body is one of ours. */
function summaryOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { type?: unknown; text?: unknown };
    if (typeof parsed.type === "string") return parsed.type;
    if (typeof parsed.text === "string") return parsed.text.slice(0, 80);
  } catch {
    // not JSON
  }
  return "";
}
