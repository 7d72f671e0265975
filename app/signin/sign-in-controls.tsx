"use client";

import { useState } from "react";
import { describedBy, FieldError } from "../_ui/field-error";
import type { SignInState } from "./actions";

/**
 * The top of every sign-in form: where to go afterwards, and the form's
 * error (and notice) from its last submission.
 */
export function SignInStatus({ next, state }: { next: string; state: SignInState }) {
  return (
    <>
      <input type="hidden" name="next" value={next} />
      {state.error ? (
        <p className="banner banner-error" role="alert">
          {state.error}
        </p>
      ) : null}
      {state.notice ? (
        <p className="banner" role="status">
          {state.notice}
        </p>
      ) : null}
    </>
  );
}

/**
 * One labelled input with its hint and its error. Controlled, so what was
 * typed survives a refused submission (a form action resets its inputs).
 */
export function SignInField({
  id,
  name,
  label,
  type,
  autoComplete,
  error,
  hint,
}: {
  id: string;
  name: string;
  label: string;
  type: "email" | "password";
  autoComplete: string;
  error: string | undefined;
  hint?: string;
}) {
  const [value, setValue] = useState("");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        autoComplete={autoComplete}
        required
        value={value}
        onChange={(e) => setValue(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(hint && `${id}-hint`, error && `${id}-error`)}
      />
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

/** The submit button, disabled and relabelled while the form is being sent. */
export function SignInSubmit({
  pending,
  label,
  pendingLabel,
  primary = false,
}: {
  pending: boolean;
  label: string;
  pendingLabel: string;
  primary?: boolean;
}) {
  return (
    <div>
      <button type="submit" className={primary ? "primary" : undefined} disabled={pending}>
        {pending ? pendingLabel : label}
      </button>
    </div>
  );
}
