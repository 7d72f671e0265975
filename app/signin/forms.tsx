"use client";

import { useActionState, useState } from "react";
import { describedBy, FieldError } from "../_ui/field-error";
import {
  devSignIn,
  magicLinkSignIn,
  oauthSignIn,
  type SignInState,
  supabaseSignIn,
} from "./actions";

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

export function MagicLinkForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(magicLinkSignIn, {});
  const [email, setEmail] = useState("");
  const error = state.fieldErrors?.email;
  return (
    <form action={action} className="card stack" noValidate aria-labelledby="magic-link-heading">
      <h2 id="magic-link-heading">Email me a sign-in link</h2>
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
      <div className="field">
        <label htmlFor="magic-link-email">Email for a sign-in link</label>
        <input
          id="magic-link-email"
          name="email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(error && "magic-link-email-error")}
        />
        <FieldError id="magic-link-email-error" message={error} />
      </div>
      <div>
        <button type="submit" disabled={pending}>
          {pending ? "Sending…" : "Email me a link"}
        </button>
      </div>
    </form>
  );
}

/** How a provider's name is written on its button. */
const PROVIDER_NAMES: Record<string, string> = {
  github: "GitHub",
  gitlab: "GitLab",
  google: "Google",
  azure: "Microsoft",
  linkedin_oidc: "LinkedIn",
  bitbucket: "Bitbucket",
  slack_oidc: "Slack",
};

export function providerName(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider.charAt(0).toUpperCase() + provider.slice(1);
}

export function OAuthButtons({ next, providers }: { next: string; providers: string[] }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(oauthSignIn, {});
  return (
    <form action={action} className="card stack" aria-label="Sign in with a provider">
      <input type="hidden" name="next" value={next} />
      {state.error ? (
        <p className="banner banner-error" role="alert">
          {state.error}
        </p>
      ) : null}
      {providers.map((provider) => (
        <button key={provider} type="submit" name="provider" value={provider} disabled={pending}>
          Continue with {providerName(provider)}
        </button>
      ))}
    </form>
  );
}
