import path from "node:path";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getContext } from "@/lib/server/context";
import { readOutboxMessage } from "@/lib/web/outbox";
import { requireSession } from "../../../_lib/session";
import { MailFrame } from "./mail-frame";

// Per-user pages: rendered at request time, never prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Email · Outbox · Training Alerts" };

/** One email from the file outbox: its headers, text, HTML (sandboxed) and source. */
export default async function OutboxMessagePage({ params }: { params: Promise<{ name: string }> }) {
  const ctx = await getContext();
  if (!ctx.config.localMode) notFound();
  const { name: rawName } = await params;
  let name = rawName;
  try {
    name = decodeURIComponent(rawName);
  } catch {
    notFound();
  }
  await requireSession(`/dev/outbox/${encodeURIComponent(name)}`);
  const mail = await readOutboxMessage(path.resolve(ctx.config.dataDir, "outbox"), name);
  if (!mail) notFound();
  return (
    <main id="main">
      <p>
        <a href="/dev/outbox">← Outbox</a>
      </p>
      <h1 className="break">{mail.subject}</h1>
      <dl className="facts">
        <div>
          <dt>From</dt>
          <dd>{mail.from}</dd>
        </div>
        <div>
          <dt>To</dt>
          <dd>{mail.to}</dd>
        </div>
        <div>
          <dt>Date</dt>
          <dd>
            <time dateTime={mail.date.toISOString()}>{mail.date.toUTCString()}</time>
          </dd>
        </div>
        <div>
          <dt>File</dt>
          <dd>
            <code className="break">{name}</code>
          </dd>
        </div>
      </dl>
      {mail.html ? (
        <section aria-labelledby="html-heading" className="stack">
          <h2 id="html-heading">As HTML</h2>
          <MailFrame title={`HTML body of “${mail.subject}”`} html={mail.html} />
        </section>
      ) : null}
      {mail.text ? (
        <section aria-labelledby="text-heading" className="stack">
          <h2 id="text-heading">As plain text</h2>
          <pre className="mail-text">{mail.text}</pre>
        </section>
      ) : null}
      <details className="preview-block">
        <summary>Source (.eml)</summary>
        <pre>{mail.raw}</pre>
      </details>
    </main>
  );
}
