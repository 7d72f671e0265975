"use client";

import { useActionState, useState } from "react";
import { describedBy, FieldError } from "../_ui/field-error";
import { devSignIn, type SignInState, supabaseSignIn } from "./actions";

export function DevSignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(devSignIn, {});
  const [email, setEmail] = useState("");
  const error = state.fieldErrors?.email;
  return (
    <form action={action} className="card stack" noValidate>
      <input type="hidden" name="next" value={next} />
      {state.error ? (
        <p className="banner banner-error" role="alert">
          {state.error}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor="signin-email">Email address</label>
        <input
          id="signin-email"
          name="email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy("signin-email-hint", error && "signin-email-error")}
        />
        <p id="signin-email-hint" className="hint">
          Any address works here; alerts by email go to the local outbox.
        </p>
        <FieldError id="signin-email-error" message={error} />
      </div>
      <div>
        <button type="submit" className="primary" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </button>
      </div>
    </form>
  );
}

export function SupabaseSignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(supabaseSignIn, {});
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const emailError = state.fieldErrors?.email;
  const passwordError = state.fieldErrors?.password;
  return (
    <form action={action} className="card stack" noValidate>
      <input type="hidden" name="next" value={next} />
      {state.error ? (
        <p className="banner banner-error" role="alert">
          {state.error}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor="signin-email">Email address</label>
        <input
          id="signin-email"
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={emailError ? true : undefined}
          aria-describedby={describedBy(emailError && "signin-email-error")}
        />
        <FieldError id="signin-email-error" message={emailError} />
      </div>
      <div className="field">
        <label htmlFor="signin-password">Password</label>
        <input
          id="signin-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={passwordError ? true : undefined}
          aria-describedby={describedBy(passwordError && "signin-password-error")}
        />
        <FieldError id="signin-password-error" message={passwordError} />
      </div>
      <div>
        <button type="submit" className="primary" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </button>
      </div>
    </form>
  );
}
