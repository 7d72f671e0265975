"use client";

import { type FormEvent, useId, useState, useTransition } from "react";
import {
  type AlertFlag,
  DEFAULT_FLAGS,
  EVENT_TYPES,
  WEBHOOK_TYPES,
  type WebhookType,
} from "@/lib/alerts/alert.types";
import type { ApiResult, ProblemView, WebhookJson } from "../../../_lib/api";
import { describedBy, FieldError } from "../../../_ui/field-error";
import { EVENT_LABELS, flagOf, WEBHOOK_TYPE_LABELS } from "../../../_ui/labels";
import { ProblemBanner, splitErrors } from "../../../_ui/problem-banner";
import { WebhookIcon } from "../../../_ui/webhook-icon";
import { createWebhook, updateWebhook } from "./actions";

type SecretChoice = "keep" | "none" | "generate" | "custom";

const URL_HINTS: Record<WebhookType, string> = {
  slack:
    "Slack: Apps → Incoming Webhooks → “Add New Webhook to Workspace”; starts with https://hooks.slack.com/services/",
  discord: "Discord: channel settings → Integrations → Webhooks → “Copy Webhook URL”.",
  generic: "Your endpoint receives a JSON POST: { type, timestamp, data }.",
  teams:
    "Teams: channel ••• → Workflows → “Post to a channel when a webhook request is received” → copy the URL.",
  telegram:
    "Telegram: https://api.telegram.org/bot<token>/sendMessage?chat_id=<chat id> (token from @BotFather).",
  ntfy: "ntfy: the topic URL, e.g. https://ntfy.sh/<topic> or your own server's.",
  pagerduty:
    "PagerDuty: https://events.pagerduty.com/v2/enqueue; put the Events API v2 integration key in the secret.",
  mattermost: "Mattermost: Integrations → Incoming Webhooks → Add → copy the URL (…/hooks/…).",
};

const URL_PLACEHOLDERS: Record<WebhookType, string> = {
  slack: "https://hooks.slack.com/services/…",
  discord: "https://discord.com/api/webhooks/…",
  generic: "https://example.com/training-alerts",
  teams: "https://….logic.azure.com/workflows/…",
  telegram: "https://api.telegram.org/bot…/sendMessage?chat_id=…",
  ntfy: "https://ntfy.sh/…",
  pagerduty: "https://events.pagerduty.com/v2/enqueue",
  mattermost: "https://mattermost.example.com/hooks/…",
};

const FIELDS = ["name", "url", "webhook_type", "secret", ...EVENT_TYPES.map(flagOf)];

/**
 * Adds a webhook (`existing` unset) or changes one. The URL of an existing
 * webhook is never sent back by the API (only a masked form), so an empty URL
 * field keeps it; likewise its secret, which is write-only.
 */
export function WebhookForm({
  existing,
  onSaved,
  onCancel,
}: {
  existing?: WebhookJson;
  onSaved: (saved: WebhookJson) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [type, setType] = useState<WebhookType>(existing?.webhook_type ?? "generic");
  const [name, setName] = useState(existing?.name ?? "");
  const [url, setUrl] = useState("");
  const [secretChoice, setSecretChoice] = useState<SecretChoice>(existing ? "keep" : "generate");
  const [secretTouched, setSecretTouched] = useState(false);
  const [customSecret, setCustomSecret] = useState("");
  const [flags, setFlags] = useState<Record<AlertFlag, boolean>>(
    () =>
      Object.fromEntries(
        EVENT_TYPES.map((t) => [
          flagOf(t),
          existing ? existing[flagOf(t)] : DEFAULT_FLAGS[flagOf(t)],
        ]),
      ) as Record<AlertFlag, boolean>,
  );
  const [problem, setProblem] = useState<ProblemView | undefined>();
  const [pending, startTransition] = useTransition();

  const { byField, rest } = splitErrors(problem, FIELDS);
  const errId = (field: string) => (byField[field] ? `${id}-${field}-error` : undefined);

  function body(): Record<string, unknown> {
    const out: Record<string, unknown> = { name, webhook_type: type, ...flags };
    if (!existing || url.trim() !== "") out.url = url;
    if (secretChoice === "none") out.secret = null;
    if (secretChoice === "generate") out.secret = "generate";
    if (secretChoice === "custom") out.secret = customSecret.trim();
    if (!existing) out.enabled = true;
    return out;
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    startTransition(async () => {
      const result: ApiResult<WebhookJson> = existing
        ? await updateWebhook(existing.id, body())
        : await createWebhook(body());
      if (result.ok) {
        setProblem(undefined);
        onSaved(result.data);
      } else {
        setProblem(result.problem);
      }
    });
  }

  const title = existing ? `Edit “${existing.name}”` : "Add a webhook";
  return (
    <form
      onSubmit={onSubmit}
      noValidate
      className="card stack webhook-form"
      aria-labelledby={`${id}-title`}
      aria-busy={pending}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      {Object.keys(byField).length > 0 ? (
        <p className="banner banner-error" role="alert">
          Not saved: correct the fields marked below.
        </p>
      ) : null}
      <ProblemBanner problem={rest} />

      <fieldset>
        <legend>Type</legend>
        <div className="type-choices">
          {WEBHOOK_TYPES.map((t) => (
            <label key={t} className="type-choice">
              <input
                type="radio"
                name={`${id}-type`}
                value={t}
                checked={type === t}
                onChange={() => {
                  setType(t);
                  // Only generic endpoints check signatures; suggest one only there.
                  if (!existing && !secretTouched)
                    setSecretChoice(t === "generic" ? "generate" : "none");
                }}
              />
              <WebhookIcon type={t} />
              <span>{WEBHOOK_TYPE_LABELS[t]}</span>
            </label>
          ))}
        </div>
        <FieldError id={`${id}-webhook_type-error`} message={byField.webhook_type} />
      </fieldset>

      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          type="text"
          value={name}
          maxLength={100}
          required
          placeholder="e.g. #ml-alerts"
          onChange={(e) => setName(e.target.value)}
          aria-invalid={byField.name ? true : undefined}
          aria-describedby={describedBy(errId("name"))}
        />
        <FieldError id={`${id}-name-error`} message={byField.name} />
      </div>

      <div className="field">
        <label htmlFor={`${id}-url`}>{existing ? "New URL" : "URL"}</label>
        <input
          id={`${id}-url`}
          type="text"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          required={!existing}
          value={url}
          placeholder={URL_PLACEHOLDERS[type]}
          onChange={(e) => setUrl(e.target.value)}
          aria-invalid={byField.url ? true : undefined}
          aria-describedby={describedBy(`${id}-url-hint`, errId("url"))}
        />
        <p id={`${id}-url-hint`} className="hint">
          {existing ? (
            <>
              Now <code>{existing.url}</code> (shown shortened; the full URL is kept secret). Leave
              empty to keep it.
            </>
          ) : (
            URL_HINTS[type]
          )}
        </p>
        <FieldError id={`${id}-url-error`} message={byField.url} />
      </div>

      <fieldset>
        <legend>Signing secret</legend>
        <p className="hint" id={`${id}-secret-hint`}>
          Signed requests carry Standard Webhooks headers (<code>webhook-signature</code>) your
          endpoint can verify. Slack and Discord ignore them.
        </p>
        <div className="radio-list">
          {(
            [
              ...(existing
                ? [
                    [
                      "keep",
                      existing.has_secret ? "Keep the current secret" : "Keep unsigned",
                    ] as const,
                  ]
                : []),
              ["generate", existing?.has_secret ? "Generate a new secret" : "Generate a secret"],
              ["custom", "Use my own secret"],
              ["none", existing?.has_secret ? "Remove the secret (unsigned)" : "Unsigned"],
            ] as [SecretChoice, string][]
          ).map(([value, label]) => (
            <div key={value} className="check">
              <input
                id={`${id}-secret-${value}`}
                type="radio"
                name={`${id}-secret`}
                value={value}
                checked={secretChoice === value}
                onChange={() => {
                  setSecretChoice(value);
                  setSecretTouched(true);
                }}
                aria-describedby={`${id}-secret-hint`}
              />
              <label htmlFor={`${id}-secret-${value}`}>{label}</label>
            </div>
          ))}
        </div>
        {secretChoice === "custom" ? (
          <div className="field">
            <label htmlFor={`${id}-custom-secret`}>Secret</label>
            <input
              id={`${id}-custom-secret`}
              type="text"
              autoComplete="off"
              spellCheck={false}
              value={customSecret}
              placeholder="whsec_…"
              onChange={(e) => setCustomSecret(e.target.value)}
              aria-invalid={byField.secret ? true : undefined}
              aria-describedby={describedBy(errId("secret"))}
            />
          </div>
        ) : null}
        <FieldError id={`${id}-secret-error`} message={byField.secret} />
      </fieldset>

      <fieldset>
        <legend>Send these alerts</legend>
        <ul className="toggle-list compact">
          {EVENT_TYPES.map((t) => {
            const flag = flagOf(t);
            return (
              <li key={t} className="check">
                <input
                  id={`${id}-${flag}`}
                  type="checkbox"
                  checked={flags[flag]}
                  onChange={(e) => setFlags((f) => ({ ...f, [flag]: e.target.checked }))}
                  aria-describedby={describedBy(errId(flag))}
                />
                <label htmlFor={`${id}-${flag}`}>{EVENT_LABELS[t].label}</label>
                <FieldError id={`${id}-${flag}-error`} message={byField[flag]} />
              </li>
            );
          })}
        </ul>
      </fieldset>

      <div className="actions">
        <button type="submit" className="primary" disabled={pending}>
          {pending ? "Saving…" : existing ? "Save changes" : "Add webhook"}
        </button>
        <button type="button" onClick={onCancel} disabled={pending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
