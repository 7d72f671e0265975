import type { Metadata } from "next";
import { getContext } from "@/lib/server/context";
import { getSession, safeNext } from "../_lib/session";
import { DevSignInForm, MagicLinkForm, OAuthButtons, SupabaseSignInForm } from "./forms";

// Per-user pages: rendered at request time, never prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Sign in · Training Alerts" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const ctx = await getContext();
  const params = await searchParams;
  const next = safeNext(params.next);
  // A magic link or OAuth round trip that failed comes back with Supabase's reason.
  const callbackError = typeof params.error === "string" ? params.error : undefined;
  const session = await getSession();
  const { webAuth, localMode } = ctx.config;
  return (
    <main id="main" className="narrow">
      <h1>Sign in</h1>
      {session ? (
        <p className="banner">
          You are signed in as <strong>{session.email ?? session.userId}</strong>.{" "}
          <a href={next}>Continue</a>, or sign in as someone else below.
        </p>
      ) : null}
      {webAuth && callbackError ? (
        <p className="banner banner-error" role="alert">
          {callbackError}
        </p>
      ) : null}
      {webAuth ? (
        <>
          <SupabaseSignInForm next={next} />
          <MagicLinkForm next={next} />
          {webAuth.oauthProviders.length > 0 ? (
            <OAuthButtons next={next} providers={webAuth.oauthProviders} />
          ) : null}
        </>
      ) : localMode ? (
        <>
          <p>
            This server runs in <strong>local mode</strong>: no sign-in provider is configured, so
            any email address signs you in. The same address is always the same user, as with{" "}
            <code>npm run token -- --email</code>.
          </p>
          <DevSignInForm next={next} />
        </>
      ) : (
        <p className="banner banner-error" role="alert">
          Sign-in is not set up on this server. Set <code>NEXT_PUBLIC_SUPABASE_URL</code> and{" "}
          <code>NEXT_PUBLIC_SUPABASE_ANON_KEY</code> to sign in with Supabase; the API still accepts
          Supabase access tokens.
        </p>
      )}
    </main>
  );
}
