"use client";

import { type FormEvent, useId, useState, useTransition } from "react";
import {
  type AlertFlag,
  DEFAULT_FLAGS,
  EVENT_TYPES,
  inferWebhookType,
  WEBHOOK_SECRET,
  WEBHOOK_TYPES,
  type WebhookType,
  webhookKind,
} from "@/lib/alerts/client";
import type { ApiResult, ProblemView, WebhookJson } from "../../../_lib/api";
import { describedBy, FieldError } from "../../../_ui/field-error";
import { EVENT_LABELS, flagOf, WEBHOOK_TYPE_LABELS } from "../../../_ui/labels";
import { ProblemBanner, splitErrors } from "../../../_ui/problem-banner";
import { WebhookIcon } from "../../../_ui/webhook-icon";
import { createWebhook, updateWebhook } from "./actions";
import { URL_PARTS } from "./url-parts";

type SecretChoice = "keep" | "none" | "generate" | "custom";

/** The secret choice a new webhook of this type starts with. */
const initialSecret = (type: WebhookType): SecretChoice =>
  type === "generic" ? "generate" : WEBHOOK_SECRET[type] === "routing-key" ? "custom" : "none";

/** The URL as far as it parses; the form suggests a type from it. */
function suggestedType(raw: string): WebhookType | undefined {
  try {
    return inferWebhookType(new URL(raw.trim()));
  } catch {
    return undefined;
  }
}

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
  // An explicit choice of type always wins over what the URL suggests.
  const [typeTouched, setTypeTouched] = useState(Boolean(existing));
  const [suggested, setSuggested] = useState<WebhookType | undefined>();
  const [customSecret, setCustomSecret] = useState("");
  // Telegram's bot token and chat id, ntfy's topic: fields kept in step with the URL.
  const [partValues, setPartValues] = useState<Record<string, string>>({});
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

  const secretKind = WEBHOOK_SECRET[type];

  function chooseType(t: WebhookType, currentUrl = url) {
    setType(t);
    if (!existing && !secretTouched) setSecretChoice(initialSecret(t));
    const fixed = webhookKind(t)?.defaultUrl;
    if (!existing && fixed && currentUrl.trim() === "") setUrl(fixed);
    const parsed = URL_PARTS[t]?.parse(currentUrl);
    if (parsed) setPartValues(parsed.values);
  }

  function onUrlChange(value: string) {
    setUrl(value);
    const guess = suggestedType(value);
    setSuggested(guess);
    if (guess && !typeTouched && guess !== type) chooseType(guess, value);
    else {
      const parsed = URL_PARTS[type]?.parse(value);
      if (parsed) setPartValues(parsed.values);
    }
  }

  function onPartChange(key: string, value: string) {
    const parts = URL_PARTS[type];
    if (!parts) return;
    const next = { ...partValues, [key]: value };
    setPartValues(next);
    setUrl(parts.build(parts.parse(url)?.base ?? parts.defaultBase, next));
  }

  function body(): Record<string, unknown> {
    const out: Record<string, unknown> = { name, webhook_type: type, ...flags };
    if (!existing || url.trim() !== "") out.url = url;
    if (secretKind === "none") {
      // Teams, Telegram and Mattermost take no secret; an old one is dropped.
      if (existing?.has_secret) out.secret = null;
      return withEnabled(out);
    }
    if (secretChoice === "none") out.secret = null;
    if (secretChoice === "generate") out.secret = "generate";
    if (secretChoice === "custom") out.secret = customSecret.trim();
    return withEnabled(out);
  }

  function withEnabled(out: Record<string, unknown>): Record<string, unknown> {
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
                // Clicking the type already selected is an explicit choice too (no change event).
                onClick={() => setTypeTouched(true)}
                onChange={() => {
                  setTypeTouched(true);
                  // Only generic endpoints check signatures; suggest one only there.
                  chooseType(t);
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
          placeholder={webhookKind(type)?.urlPlaceholder}
          onChange={(e) => onUrlChange(e.target.value)}
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
            <>
              {suggested && suggested === type && !typeTouched ? (
                <span className="suggested" role="status">
                  Looks like a {WEBHOOK_TYPE_LABELS[suggested]} URL; type set to match.{" "}
                </span>
              ) : null}
              {webhookKind(type)?.urlHint}
            </>
          )}
        </p>
        <FieldError id={`${id}-url-error`} message={byField.url} />
      </div>

      {URL_PARTS[type] ? (
        <div className="row url-parts">
          {URL_PARTS[type].parts.map((part) => (
            <div key={part.key} className="field grow">
              <label htmlFor={`${id}-part-${part.key}`}>{part.label}</label>
              <input
                id={`${id}-part-${part.key}`}
                type={part.secret ? "password" : "text"}
                autoComplete="off"
                spellCheck={false}
                value={partValues[part.key] ?? ""}
                placeholder={part.placeholder}
                onChange={(e) => onPartChange(part.key, e.target.value)}
                aria-describedby={`${id}-part-${part.key}-hint`}
              />
              <p id={`${id}-part-${part.key}-hint`} className="hint">
                {part.hint} {existing ? "Leave empty to keep the current one. " : ""}The URL above
                follows.
              </p>
            </div>
          ))}
        </div>
      ) : null}

      {secretKind === "signing" ? (
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
      ) : secretKind === "none" ? null : (
        <CredentialField
          id={id}
          kind={secretKind}
          existing={existing}
          choice={secretChoice}
          value={customSecret}
          error={byField.secret}
          onChoice={(c) => {
            setSecretChoice(c);
            setSecretTouched(true);
          }}
          onValue={setCustomSecret}
        />
      )}

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

/**
 * The destination's own credential: an ntfy access token (optional) or a
 * PagerDuty routing key (required). Write-only like every secret: an
 * existing one is never shown, only kept or replaced.
 */
function CredentialField({
  id,
  kind,
  existing,
  choice,
  value,
  error,
  onChoice,
  onValue,
}: {
  id: string;
  kind: "ntfy-token" | "routing-key";
  existing?: WebhookJson;
  choice: SecretChoice;
  value: string;
  error?: string;
  onChoice: (choice: SecretChoice) => void;
  onValue: (value: string) => void;
}) {
  const ntfy = kind === "ntfy-token";
  const label = ntfy ? "Access token" : "Integration key (routing key)";
  const choices: [SecretChoice, string][] = [
    ...(existing?.has_secret
      ? [["keep", `Keep the current ${ntfy ? "token" : "key"}`] as [SecretChoice, string]]
      : []),
    [
      "custom",
      existing?.has_secret
        ? `Replace the ${ntfy ? "token" : "key"}`
        : `Use ${ntfy ? "a token" : "this key"}`,
    ],
    ...(ntfy ? [["none", "No token (public topic)"] as [SecretChoice, string]] : []),
  ];
  return (
    <fieldset>
      <legend>{label}</legend>
      <p className="hint" id={`${id}-secret-hint`}>
        {ntfy
          ? "For a protected topic: an access token (tk_…) from your ntfy account, sent as Authorization: Bearer. Stored encrypted, never shown again."
          : "From the PagerDuty service: Integrations → Events API v2 → Integration Key (32 characters). Stored encrypted, never shown again."}
      </p>
      <div className="radio-list">
        {choices.map(([c, text]) => (
          <div key={c} className="check">
            <input
              id={`${id}-secret-${c}`}
              type="radio"
              name={`${id}-secret`}
              value={c}
              checked={choice === c}
              onChange={() => onChoice(c)}
              aria-describedby={`${id}-secret-hint`}
            />
            <label htmlFor={`${id}-secret-${c}`}>{text}</label>
          </div>
        ))}
      </div>
      {choice === "custom" ? (
        <div className="field">
          <label htmlFor={`${id}-credential`}>{label}</label>
          <input
            id={`${id}-credential`}
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={value}
            placeholder={ntfy ? "tk_…" : "32 letters and digits"}
            onChange={(e) => onValue(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy(error ? `${id}-secret-error` : undefined)}
          />
        </div>
      ) : null}
      <FieldError id={`${id}-secret-error`} message={error} />
    </fieldset>
  );
}
