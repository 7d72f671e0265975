import path from "node:path";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { GET as getPreferences } from "@/app/api/alerts/preferences/route";
import { getContext } from "@/lib/server/context";
import { listOutbox } from "@/lib/web/outbox";
import { callApi, type PreferencesJson } from "../../_lib/api";
import { requireSession } from "../../_lib/session";
import { formatWhen } from "../../_ui/format";

// Per-user pages: rendered at request time, never prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Outbox · Training Alerts" };

/** Local mode only: the emails the file outbox wrote, newest first. */
export default async function OutboxPage() {
  const ctx = await getContext();
  if (!ctx.config.localMode) notFound();
  const session = await requireSession("/dev/outbox");
  const prefs = await callApi<PreferencesJson>(
    session.token,
    getPreferences,
    "GET",
    "/api/alerts/preferences",
  );
  const zone = prefs.ok ? prefs.data.timezone : "UTC";
  const dir = path.resolve(ctx.config.dataDir, "outbox");
  const mails = await listOutbox(dir);
  return (
    <main id="main">
      <h1>Outbox</h1>
      <p className="lede">
        {ctx.config.smtpUrl ? (
          <>
            Email goes out through the configured SMTP server, so nothing new lands here; older
            files are kept in <code>{dir}</code>.
          </>
        ) : (
          <>
            No SMTP server is configured, so every email is written to <code>{dir}</code> instead of
            being sent. This page lists them (everyone&apos;s, newest first).
          </>
        )}
      </p>
      {mails.length === 0 ? (
        <div className="empty card">
          <p>
            <strong>No emails yet.</strong> Send a sample event from the{" "}
            <a href="/alerts/history">History</a> page; with email alerts on, its email appears
            here.
          </p>
        </div>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">To</th>
                <th scope="col">Date ({zone})</th>
              </tr>
            </thead>
            <tbody>
              {mails.map((m) => (
                <tr key={m.name}>
                  <td>
                    <a href={`/dev/outbox/${encodeURIComponent(m.name)}`}>{m.subject}</a>
                  </td>
                  <td>{m.to}</td>
                  <td>
                    <time dateTime={m.date.toISOString()}>
                      {formatWhen(m.date.toISOString(), zone)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}
