"use client";

import { useActionState } from "react";
import {
  devSignIn,
  magicLinkSignIn,
  oauthSignIn,
  type SignInState,
  supabaseSignIn,
} from "./actions";
import { SignInField, SignInStatus, SignInSubmit } from "./sign-in-controls";

/** The sign-in email field of the dev and password forms. */
const SIGN_IN_EMAIL = {
  id: "signin-email",
  name: "email",
  label: "Email address",
  type: "email",
} as const;

export function DevSignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(devSignIn, {});
  return (
    <form action={action} className="card stack" noValidate>
      <SignInStatus next={next} state={state} />
      <SignInField
        {...SIGN_IN_EMAIL}
        autoComplete="email"
        error={state.fieldErrors?.email}
        hint="Any address works here; alerts by email go to the local outbox."
      />
      <SignInSubmit pending={pending} label="Sign in" pendingLabel="Signing in…" primary />
    </form>
  );
}

export function SupabaseSignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(supabaseSignIn, {});
  return (
    <form action={action} className="card stack" noValidate>
      <SignInStatus next={next} state={state} />
      <SignInField {...SIGN_IN_EMAIL} autoComplete="username" error={state.fieldErrors?.email} />
      <SignInField
        id="signin-password"
        name="password"
        label="Password"
        type="password"
        autoComplete="current-password"
        error={state.fieldErrors?.password}
      />
      <SignInSubmit pending={pending} label="Sign in" pendingLabel="Signing in…" primary />
    </form>
  );
}

export function MagicLinkForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(magicLinkSignIn, {});
  return (
    <form action={action} className="card stack" noValidate aria-labelledby="magic-link-heading">
      <h2 id="magic-link-heading">Email me a sign-in link</h2>
      <SignInStatus next={next} state={state} />
      <SignInField
        id="magic-link-email"
        name="email"
        label="Email for a sign-in link"
        type="email"
        autoComplete="email"
        error={state.fieldErrors?.email}
      />
      <SignInSubmit pending={pending} label="Email me a link" pendingLabel="Sending…" />
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
      <SignInStatus next={next} state={state} />
      {providers.map((provider) => (
        <button key={provider} type="submit" name="provider" value={provider} disabled={pending}>
          Continue with {providerName(provider)}
        </button>
      ))}
    </form>
  );
}
