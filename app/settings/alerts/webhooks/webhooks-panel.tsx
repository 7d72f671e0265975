"use client";

import { type ReactNode, useEffect, useRef, useState, useTransition } from "react";
import { EVENT_TYPES, WEBHOOK_SECRET } from "@/lib/alerts/client";
import type { ProblemView, WebhookJson, WebhookTestJson } from "../../../_lib/api";
import { EVENT_LABELS, flagOf, WEBHOOK_SERVICES, WEBHOOK_TYPE_LABELS } from "../../../_ui/labels";
import { ProblemBanner } from "../../../_ui/problem-banner";
import { WebhookIcon } from "../../../_ui/webhook-icon";
import { deleteWebhook, testWebhook, updateWebhook } from "./actions";
import { WebhookForm } from "./webhook-form";

export interface WebhookItem extends WebhookJson {
  lastSuccessText: string;
  lastFailureText: string;
}

type Editing = { kind: "none" } | { kind: "create" } | { kind: "edit"; id: string };

/** The webhook list with its add/edit form, tests, switches and deletes. */
export function WebhooksPanel({ items, max }: { items: WebhookItem[]; max: number }) {
  const [editing, setEditing] = useState<Editing>({ kind: "none" });
  const [revealed, setRevealed] = useState<{ name: string; secret: string } | undefined>();
  const [notice, setNotice] = useState("");
  const addButton = useRef<HTMLButtonElement>(null);

  const atLimit = items.length >= max;
  return (
    <div className="stack">
      {revealed ? (
        <SecretReveal
          {...revealed}
          onDone={() => {
            setRevealed(undefined);
            addButton.current?.focus();
          }}
        />
      ) : null}

      <div className="actions">
        <button
          ref={addButton}
          type="button"
          className="primary"
          disabled={atLimit || editing.kind === "create"}
          onClick={() => setEditing({ kind: "create" })}
        >
          Add webhook
        </button>
        <span role="status" className="status-text">
          {notice}
        </span>
        {atLimit ? (
          <span className="hint">You have {max} webhooks, the most allowed; delete one first.</span>
        ) : null}
      </div>

      {editing.kind === "create" ? (
        <WebhookForm
          onCancel={() => {
            setEditing({ kind: "none" });
            addButton.current?.focus();
          }}
          onSaved={(saved) => {
            setEditing({ kind: "none" });
            setNotice(`Added “${saved.name}”.`);
            if (saved.secret) setRevealed({ name: saved.name, secret: saved.secret });
          }}
        />
      ) : null}

      {items.length === 0 ? (
        <div className="empty card">
          <p>
            <strong>No webhooks yet.</strong> Add one to get alerts in {WEBHOOK_SERVICES} or your
            own service; email alerts are set on the <a href="/settings/alerts">Settings</a> page.
          </p>
        </div>
      ) : (
        <ul className="webhook-list" aria-label="Your webhooks">
          {items.map((item) =>
            editing.kind === "edit" && editing.id === item.id ? (
              <li key={item.id}>
                <WebhookForm
                  existing={item}
                  onCancel={() => setEditing({ kind: "none" })}
                  onSaved={(saved) => {
                    setEditing({ kind: "none" });
                    setNotice(`Saved “${saved.name}”.`);
                    if (saved.secret) setRevealed({ name: saved.name, secret: saved.secret });
                  }}
                />
              </li>
            ) : (
              <WebhookRow
                key={item.id}
                item={item}
                onEdit={() => setEditing({ kind: "edit", id: item.id })}
                onNotice={setNotice}
              />
            ),
          )}
        </ul>
      )}
    </div>
  );
}

function WebhookRow({
  item,
  onEdit,
  onNotice,
}: {
  item: WebhookItem;
  onEdit: () => void;
  onNotice: (text: string) => void;
}) {
  const [test, setTest] = useState<
    { state: "sending" } | { state: "done"; result: WebhookTestJson } | undefined
  >();
  const [problem, setProblem] = useState<ProblemView | undefined>();
  const [confirming, setConfirming] = useState(false);
  const [pending, startTransition] = useTransition();
  const confirmButton = useRef<HTMLButtonElement>(null);
  const headingId = `webhook-${item.id}`;

  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);

  const sends = EVENT_TYPES.filter((t) => item[flagOf(t)]).map((t) => EVENT_LABELS[t].label);

  function runTest() {
    setTest({ state: "sending" });
    setProblem(undefined);
    startTransition(async () => {
      const result = await testWebhook(item.id);
      if (result.ok) setTest({ state: "done", result: result.data });
      else {
        setTest(undefined);
        setProblem(result.problem);
      }
    });
  }

  function toggle() {
    startTransition(async () => {
      const result = await updateWebhook(item.id, { enabled: !item.enabled });
      if (result.ok) {
        setProblem(undefined);
        onNotice(`${result.data.enabled ? "Enabled" : "Disabled"} “${item.name}”.`);
      } else setProblem(result.problem);
    });
  }

  function remove() {
    startTransition(async () => {
      const result = await deleteWebhook(item.id);
      if (result.ok) onNotice(`Deleted “${item.name}”.`);
      else {
        setConfirming(false);
        setProblem(result.problem);
      }
    });
  }

  return (
    <li className="card webhook" aria-labelledby={headingId} aria-busy={pending}>
      <div className="webhook-head">
        <WebhookIcon type={item.webhook_type} />
        <div className="webhook-title">
          <h2 id={headingId} className="h3">
            {item.name}
          </h2>
          <span className="muted">
            {WEBHOOK_TYPE_LABELS[item.webhook_type]}
            {secretNote(item)}
          </span>
        </div>
        <StatusBadge item={item} />
      </div>
      <p className="masked-url">
        <span className="visually-hidden">URL: </span>
        <code>{item.url}</code>
      </p>
      <dl className="facts">
        <div>
          <dt>Last success</dt>
          <dd>{item.lastSuccessText}</dd>
        </div>
        <div>
          <dt>Last failure</dt>
          <dd>
            {item.lastFailureText}
            {item.last_failure_at && (item.last_status_code || item.last_error) ? (
              <span className="muted"> ({failureText(item)})</span>
            ) : null}
          </dd>
        </div>
        <div className="span-2">
          <dt>Sends</dt>
          <dd>{sends.length > 0 ? sends.join(", ") : "nothing (no alert type chosen)"}</dd>
        </div>
      </dl>

      <ProblemBanner problem={problem} />

      {confirming ? (
        <fieldset className="confirm">
          <legend>
            Delete <strong>{item.name}</strong>?
          </legend>
          <p>Alerts stop going there at once; this cannot be undone.</p>
          <div className="actions">
            <button
              ref={confirmButton}
              type="button"
              className="danger"
              onClick={remove}
              disabled={pending}
            >
              {pending ? "Deleting…" : "Yes, delete"}
            </button>
            <button type="button" onClick={() => setConfirming(false)} disabled={pending}>
              Keep it
            </button>
          </div>
        </fieldset>
      ) : (
        <div className="actions">
          <button type="button" onClick={runTest} disabled={pending}>
            {test?.state === "sending" ? "Sending…" : "Send test"}
          </button>
          <button type="button" onClick={onEdit} disabled={pending}>
            Edit
          </button>
          <button type="button" onClick={toggle} disabled={pending}>
            {item.enabled ? "Disable" : "Enable"}
          </button>
          <button type="button" className="danger-outline" onClick={() => setConfirming(true)}>
            Delete
          </button>
        </div>
      )}
      <TestResult test={test} enabled={item.enabled} />
    </li>
  );
}

/** "HTTP 400: invalid_payload", without saying the status twice when the error already does. */
function failureText(item: WebhookItem): string {
  const error = item.last_error ?? "";
  if (!item.last_status_code || error.includes(String(item.last_status_code))) return error;
  return error ? `HTTP ${item.last_status_code}: ${error}` : `HTTP ${item.last_status_code}`;
}

function StatusBadge({ item }: { item: WebhookItem }) {
  if (!item.enabled) {
    return (
      <span className="badge badge-muted">
        Disabled{item.disabled_reason ? `: ${item.disabled_reason}` : " by you"}
      </span>
    );
  }
  if (item.failure_count > 0) {
    return (
      <span className="badge badge-bad">
        Failing: {item.failure_count} failed {item.failure_count === 1 ? "delivery" : "deliveries"}{" "}
        in a row
      </span>
    );
  }
  return (
    <span className="badge badge-good">
      Healthy{item.last_success_at ? "" : " · nothing sent yet"}
    </span>
  );
}

function TestResult({
  test,
  enabled,
}: {
  test: { state: "sending" } | { state: "done"; result: WebhookTestJson } | undefined;
  enabled: boolean;
}) {
  // Always rendered, so screen readers announce the result when it arrives.
  let content: ReactNode = null;
  if (test?.state === "sending") content = "Sending a test alert…";
  if (test?.state === "done") {
    const r = test.result;
    const code = r.status_code ? `HTTP ${r.status_code}` : "no answer";
    content = r.ok ? (
      <span className="test-ok">
        ✓ Test delivered: {code} in {Math.round(r.duration_ms)} ms.
      </span>
    ) : (
      <span className="test-bad">
        ✗ Test failed: {code}
        {r.error ? ` — ${r.error}` : ""} (after {Math.round(r.duration_ms)} ms).
        {!enabled ? " The webhook is disabled; enable it once the test passes." : ""}
      </span>
    );
  }
  return (
    <p role="status" className="test-result">
      {content}
    </p>
  );
}

function SecretReveal({
  name,
  secret,
  onDone,
}: {
  name: string;
  secret: string;
  onDone: () => void;
}) {
  const [copied, setCopied] = useState("");
  const input = useRef<HTMLInputElement>(null);
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    panel.current?.focus();
  }, []);
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("Copied to the clipboard.");
    } catch {
      // No clipboard access (an insecure origin, a denied permission): select it for Ctrl+C.
      input.current?.select();
      setCopied("Selected: press Ctrl+C (⌘C) to copy.");
    }
  }
  return (
    <section
      ref={panel}
      tabIndex={-1}
      className="card secret-reveal"
      aria-labelledby="secret-reveal-title"
    >
      <h2 id="secret-reveal-title" className="h3">
        Signing secret for “{name}”
      </h2>
      <p>
        Copy it now and give it to your endpoint; it is <strong>shown only this once</strong>. Lost
        it? Edit the webhook and generate a new one.
      </p>
      <div className="copy-row">
        <label htmlFor="revealed-secret" className="visually-hidden">
          Signing secret
        </label>
        <input
          id="revealed-secret"
          ref={input}
          type="text"
          readOnly
          value={secret}
          onFocus={(e) => e.target.select()}
        />
        <button type="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p role="status" className="status-text">
        {copied}
      </p>
      <button type="button" className="primary" onClick={onDone}>
        Done, I have copied it
      </button>
    </section>
  );
}

/** What the webhook's secret is: a signing secret, the destination's credential, or nothing to say. */
function secretNote(item: WebhookJson): string {
  const kind = WEBHOOK_SECRET[item.webhook_type];
  if (kind === "routing-key") return item.has_secret ? " · routing key set" : " · no routing key";
  if (kind === "ntfy-token") return item.has_secret ? " · access token set" : " · public topic";
  if (kind === "none") return "";
  return item.has_secret ? " · signed" : " · unsigned";
}
