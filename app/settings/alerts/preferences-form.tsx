"use client";

import { type FormEvent, useEffect, useId, useState, useTransition } from "react";
import { describeQuietHours, EVENT_TYPES, GROUPING } from "@/lib/alerts/client";
import type { PreferencesJson, ProblemView } from "../../_lib/api";
import { describedBy, FieldError } from "../../_ui/field-error";
import { EVENT_LABELS, flagOf, WEEKDAYS } from "../../_ui/labels";
import { ProblemBanner, splitErrors } from "../../_ui/problem-banner";
import { savePreferences } from "./actions";

type FlagKey = `alert_${(typeof EVENT_TYPES)[number]}`;

interface FormState extends Record<FlagKey, boolean> {
  email_enabled: boolean;
  email_address: string;
  quiet_hours_enabled: boolean;
  quiet_hours_start: string;
  quiet_hours_end: string;
  timezone: string;
  daily_summary_enabled: boolean;
  daily_summary_time: string;
  weekly_digest_enabled: boolean;
  weekly_digest_day: string;
  group_window_seconds: string;
}

const FIELDS = [
  "email_enabled",
  "email_address",
  ...EVENT_TYPES.map(flagOf),
  "quiet_hours_enabled",
  "quiet_hours_start",
  "quiet_hours_end",
  "timezone",
  "daily_summary_enabled",
  "daily_summary_time",
  "weekly_digest_enabled",
  "weekly_digest_day",
  "group_window_seconds",
] as const;

/** What the grouping window means, in one sentence, for the value being typed. */
function describeGrouping(value: string): string {
  if (!/^\s*\d+\s*$/.test(value)) {
    return `A whole number of seconds, 0 to ${GROUPING.maxWindowSeconds}; 0 sends every alert on its own.`;
  }
  const seconds = Number(value);
  if (seconds === 0) return "Off: every alert is sent on its own, as it happens.";
  return `A lone alert is sent at once. When more of the same kind (same group, same destination) follow within ${seconds} s, they are sent together as one message at the end of each ${seconds}-second window. Nothing is dropped.`;
}

/** "22:00:00" (PostgreSQL TIME) → "22:00", what a time input shows without a seconds field. */
const hhmm = (t: string) => (/^\d\d:\d\d:00$/.test(t) ? t.slice(0, 5) : t);

function toForm(p: PreferencesJson): FormState {
  const flags = Object.fromEntries(EVENT_TYPES.map((t) => [flagOf(t), p[flagOf(t)]])) as Record<
    FlagKey,
    boolean
  >;
  return {
    ...flags,
    email_enabled: p.email_enabled,
    email_address: p.email_address ?? "",
    quiet_hours_enabled: p.quiet_hours_enabled,
    quiet_hours_start: hhmm(p.quiet_hours_start),
    quiet_hours_end: hhmm(p.quiet_hours_end),
    timezone: p.timezone,
    daily_summary_enabled: p.daily_summary_enabled,
    daily_summary_time: hhmm(p.daily_summary_time),
    weekly_digest_enabled: p.weekly_digest_enabled,
    weekly_digest_day: String(p.weekly_digest_day),
    group_window_seconds: String(p.group_window_seconds),
  };
}

function toBody(f: FormState): Record<string, unknown> {
  const email = f.email_address.trim();
  return {
    ...f,
    email_address: email === "" ? null : email,
    timezone: f.timezone.trim(),
    weekly_digest_day: Number(f.weekly_digest_day),
    // Left as typed when it is not a number, so the API names the field.
    group_window_seconds: /^\s*\d+\s*$/.test(f.group_window_seconds)
      ? Number(f.group_window_seconds)
      : f.group_window_seconds,
  };
}

export function PreferencesForm({
  initial,
  signInEmail,
  initialNow,
  diskThresholdPercent,
  timeoutMinutes,
}: {
  initial: PreferencesJson;
  signInEmail: string | undefined;
  initialNow: string;
  diskThresholdPercent: number;
  timeoutMinutes: number;
}) {
  const [saved, setSaved] = useState<FormState>(() => toForm(initial));
  const [form, setForm] = useState<FormState>(saved);
  const [problem, setProblem] = useState<ProblemView | undefined>();
  const [status, setStatus] = useState("");
  const [zoneHint, setZoneHint] = useState("");
  const [now, setNow] = useState(() => new Date(initialNow));
  const [pending, startTransition] = useTransition();
  const id = useId();

  // The preview's clock moves on while the page is open.
  useEffect(() => {
    setNow(new Date());
    const timer = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(timer);
  }, []);

  // A user who never chose a zone gets the browser's as the suggestion (saved on Save).
  useEffect(() => {
    const neverSaved = initial.created_at === initial.updated_at && initial.timezone === "UTC";
    const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (neverSaved && browserZone && browserZone !== "UTC") {
      setForm((f) => ({ ...f, timezone: browserZone }));
      setZoneHint(`Filled in from your browser (${browserZone}); save to keep it.`);
    }
  }, [initial]);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  const dirty = JSON.stringify(form) !== JSON.stringify(saved);
  const { byField, rest } = splitErrors(problem, FIELDS);
  const err = (field: string) => byField[field];
  const errId = (field: string) => (byField[field] ? `${id}-${field}-error` : undefined);

  let preview: string;
  try {
    preview = describeQuietHours(
      {
        enabled: form.quiet_hours_enabled,
        start: form.quiet_hours_start,
        end: form.quiet_hours_end,
        timeZone: form.timezone.trim() || "UTC",
      },
      now,
    );
  } catch {
    preview = "Enter a start and an end time to see when alerts are held.";
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setStatus("");
    startTransition(async () => {
      const result = await savePreferences(toBody(form));
      if (result.ok) {
        const next = toForm(result.data);
        setSaved(next);
        setForm(next);
        setProblem(undefined);
        setZoneHint("");
        setStatus("Saved.");
      } else {
        setProblem(result.problem);
        setStatus("");
      }
    });
  }

  const explain = (type: (typeof EVENT_TYPES)[number]) => {
    if (type === "disk_warning") {
      return `A training disk reached ${diskThresholdPercent}% usage (at most once per disk per 6 hours).`;
    }
    if (type === "timeout_warning") {
      return `A running job reported no progress for ${timeoutMinutes} minutes.`;
    }
    return EVENT_LABELS[type].explain;
  };

  return (
    <form onSubmit={onSubmit} noValidate className="stack" aria-busy={pending}>
      {Object.keys(byField).length > 0 ? (
        <p className="banner banner-error" role="alert">
          Not saved: correct the fields marked below.
        </p>
      ) : null}
      <ProblemBanner problem={rest} />

      <fieldset className="card">
        <legend>Email</legend>
        <div className="check">
          <input
            id={`${id}-email_enabled`}
            type="checkbox"
            checked={form.email_enabled}
            onChange={(e) => set("email_enabled", e.target.checked)}
          />
          <label htmlFor={`${id}-email_enabled`}>Send alerts by email</label>
        </div>
        <div className="field">
          <label htmlFor={`${id}-email_address`}>Send to</label>
          <input
            id={`${id}-email_address`}
            type="email"
            autoComplete="email"
            value={form.email_address}
            placeholder={signInEmail ?? "you@example.com"}
            onChange={(e) => set("email_address", e.target.value)}
            aria-invalid={err("email_address") ? true : undefined}
            aria-describedby={describedBy(`${id}-email_address-hint`, errId("email_address"))}
          />
          <p id={`${id}-email_address-hint`} className="hint">
            Leave empty to use your sign-in address
            {signInEmail ? (
              <>
                {" "}
                (<strong>{signInEmail}</strong>)
              </>
            ) : null}
            .
          </p>
          <FieldError id={`${id}-email_address-error`} message={err("email_address")} />
        </div>
      </fieldset>

      <fieldset className="card">
        <legend>Which alerts to email</legend>
        {!form.email_enabled ? (
          <p className="hint">Email is off: these apply once you turn it on.</p>
        ) : null}
        <ul className="toggle-list">
          {EVENT_TYPES.map((type) => {
            const key = flagOf(type) as FlagKey;
            return (
              <li key={type} className="check">
                <input
                  id={`${id}-${key}`}
                  type="checkbox"
                  checked={form[key]}
                  onChange={(e) => set(key, e.target.checked)}
                  aria-describedby={describedBy(`${id}-${key}-hint`, errId(key))}
                />
                <div>
                  <label htmlFor={`${id}-${key}`}>{EVENT_LABELS[type].label}</label>
                  <p id={`${id}-${key}-hint`} className="hint">
                    {explain(type)}
                  </p>
                  <FieldError id={`${id}-${key}-error`} message={err(key)} />
                </div>
              </li>
            );
          })}
        </ul>
      </fieldset>

      <fieldset className="card">
        <legend>Quiet hours</legend>
        <div className="check">
          <input
            id={`${id}-quiet_hours_enabled`}
            type="checkbox"
            checked={form.quiet_hours_enabled}
            onChange={(e) => set("quiet_hours_enabled", e.target.checked)}
            aria-describedby={`${id}-quiet-preview`}
          />
          <label htmlFor={`${id}-quiet_hours_enabled`}>
            Hold alerts during quiet hours and send them when the quiet hours end
          </label>
        </div>
        <div className="row">
          <div className="field">
            <label htmlFor={`${id}-quiet_hours_start`}>From</label>
            <input
              id={`${id}-quiet_hours_start`}
              type="time"
              value={form.quiet_hours_start}
              onChange={(e) => set("quiet_hours_start", e.target.value)}
              aria-invalid={err("quiet_hours_start") ? true : undefined}
              aria-describedby={describedBy(`${id}-quiet-preview`, errId("quiet_hours_start"))}
            />
            <FieldError id={`${id}-quiet_hours_start-error`} message={err("quiet_hours_start")} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-quiet_hours_end`}>Until</label>
            <input
              id={`${id}-quiet_hours_end`}
              type="time"
              value={form.quiet_hours_end}
              onChange={(e) => set("quiet_hours_end", e.target.value)}
              aria-invalid={err("quiet_hours_end") ? true : undefined}
              aria-describedby={describedBy(`${id}-quiet-preview`, errId("quiet_hours_end"))}
            />
            <FieldError id={`${id}-quiet_hours_end-error`} message={err("quiet_hours_end")} />
          </div>
          <div className="field grow">
            <label htmlFor={`${id}-timezone`}>Time zone</label>
            <input
              id={`${id}-timezone`}
              type="text"
              list="time-zones"
              autoComplete="off"
              spellCheck={false}
              value={form.timezone}
              onChange={(e) => set("timezone", e.target.value)}
              aria-invalid={err("timezone") ? true : undefined}
              aria-describedby={describedBy(
                `${id}-timezone-hint`,
                `${id}-quiet-preview`,
                errId("timezone"),
              )}
            />
            <p id={`${id}-timezone-hint`} className="hint">
              {zoneHint || "Type to search, e.g. “Berlin” or “New_York”. Reports use it too."}
            </p>
            <FieldError id={`${id}-timezone-error`} message={err("timezone")} />
          </div>
        </div>
        <p id={`${id}-quiet-preview`} className="preview" data-testid="quiet-preview">
          {preview}
        </p>
      </fieldset>

      <fieldset className="card">
        <legend>Grouping</legend>
        <div className="field">
          <label htmlFor={`${id}-group_window_seconds`}>
            Group bursts of alerts over (seconds)
          </label>
          <input
            id={`${id}-group_window_seconds`}
            type="number"
            inputMode="numeric"
            min={0}
            max={GROUPING.maxWindowSeconds}
            step={1}
            value={form.group_window_seconds}
            onChange={(e) => set("group_window_seconds", e.target.value)}
            aria-invalid={err("group_window_seconds") ? true : undefined}
            aria-describedby={describedBy(
              `${id}-group_window_seconds-hint`,
              errId("group_window_seconds"),
            )}
          />
          <p id={`${id}-group_window_seconds-hint`} className="hint" data-testid="grouping-preview">
            {describeGrouping(form.group_window_seconds)}
          </p>
          <FieldError
            id={`${id}-group_window_seconds-error`}
            message={err("group_window_seconds")}
          />
        </div>
      </fieldset>

      <fieldset className="card">
        <legend>Reports by email</legend>
        <div className="row">
          <div className="check">
            <input
              id={`${id}-daily_summary_enabled`}
              type="checkbox"
              checked={form.daily_summary_enabled}
              onChange={(e) => set("daily_summary_enabled", e.target.checked)}
            />
            <label htmlFor={`${id}-daily_summary_enabled`}>Daily summary</label>
          </div>
          <div className="field">
            <label htmlFor={`${id}-daily_summary_time`}>Send at</label>
            <input
              id={`${id}-daily_summary_time`}
              type="time"
              value={form.daily_summary_time}
              onChange={(e) => set("daily_summary_time", e.target.value)}
              aria-invalid={err("daily_summary_time") ? true : undefined}
              aria-describedby={describedBy(
                `${id}-daily_summary_time-hint`,
                errId("daily_summary_time"),
              )}
            />
            <p id={`${id}-daily_summary_time-hint`} className="hint">
              In your time zone; covers the 24 hours before.
            </p>
            <FieldError id={`${id}-daily_summary_time-error`} message={err("daily_summary_time")} />
          </div>
        </div>
        <div className="row">
          <div className="check">
            <input
              id={`${id}-weekly_digest_enabled`}
              type="checkbox"
              checked={form.weekly_digest_enabled}
              onChange={(e) => set("weekly_digest_enabled", e.target.checked)}
            />
            <label htmlFor={`${id}-weekly_digest_enabled`}>Weekly digest</label>
          </div>
          <div className="field">
            <label htmlFor={`${id}-weekly_digest_day`}>Send on</label>
            <select
              id={`${id}-weekly_digest_day`}
              value={form.weekly_digest_day}
              onChange={(e) => set("weekly_digest_day", e.target.value)}
              aria-invalid={err("weekly_digest_day") ? true : undefined}
              aria-describedby={describedBy(
                `${id}-weekly_digest_day-hint`,
                errId("weekly_digest_day"),
              )}
            >
              {WEEKDAYS.map((day, i) => (
                <option key={day} value={String(i)}>
                  {day}
                </option>
              ))}
            </select>
            <p id={`${id}-weekly_digest_day-hint`} className="hint">
              At the daily summary time; covers the 7 days before.
            </p>
            <FieldError id={`${id}-weekly_digest_day-error`} message={err("weekly_digest_day")} />
          </div>
        </div>
      </fieldset>

      <div className="actions sticky-actions">
        <button type="submit" className="primary" disabled={pending}>
          {pending ? "Saving…" : "Save settings"}
        </button>
        <button
          type="button"
          disabled={pending || !dirty}
          onClick={() => {
            setForm(saved);
            setProblem(undefined);
            setZoneHint("");
            setStatus("Changes discarded.");
          }}
        >
          Discard changes
        </button>
        <span role="status" className="status-text">
          {pending ? "Saving…" : status || (dirty ? "Unsaved changes" : "")}
        </span>
      </div>
    </form>
  );
}
