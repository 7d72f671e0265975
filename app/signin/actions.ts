"use server";

import { redirect } from "next/navigation";
import { HttpError } from "@/lib/http/errors";
import { type AppContext, getContext } from "@/lib/server/context";
import { mintDevSession } from "@/lib/web/dev-session";
import {
  oauthUrl,
  SupabaseAuthError,
  sendMagicLink,
  signInWithPassword,
  signOut as supabaseSignOut,
} from "@/lib/web/supabase-auth";
import { clearSessionCookies, safeNext, setDevSessionCookie, webAuthClient } from "../_lib/session";

export interface SignInState {
  /** A message for the whole form. */
  error?: string;
  /** A message saying what happened (e.g. "check your email"). */
  notice?: string;
  /** Messages by field name (`email`, `password`). */
  fieldErrors?: Record<string, string>;
}

/** Local mode: any email signs in (the token is minted here, with the local secret). */
export async function devSignIn(_prev: SignInState, form: FormData): Promise<SignInState> {
  const ctx = await getContext();
  try {
    const minted = await mintDevSession(ctx.config, String(form.get("email") ?? ""), ctx.clock());
    await setDevSessionCookie(ctx, { token: minted.token, maxAge: minted.maxAge });
  } catch (error) {
    if (error instanceof HttpError && error.options.errors?.[0]) {
      return { fieldErrors: { email: error.options.errors[0].message } };
    }
    if (error instanceof HttpError) return { error: error.detail };
    throw error;
  }
  redirect(safeNext(form.get("next")));
}

const NOT_CONFIGURED: SignInState = { error: "Supabase sign-in is not configured on this server." };

/** Where a magic link or an OAuth round trip comes back: the PKCE code exchange, then `next`. */
function callbackUrl(ctx: AppContext, form: FormData): string {
  const next = encodeURIComponent(safeNext(form.get("next")));
  return `${ctx.config.appUrl}/auth/callback?next=${next}`;
}

/** With Supabase configured: email and password against Supabase Auth. */
export async function supabaseSignIn(_prev: SignInState, form: FormData): Promise<SignInState> {
  const ctx = await getContext();
  const client = await webAuthClient(ctx);
  if (!client) return NOT_CONFIGURED;
  const email = String(form.get("email") ?? "").trim();
  const password = String(form.get("password") ?? "");
  const fieldErrors: Record<string, string> = {};
  if (!email) fieldErrors.email = "Enter the email address of your account.";
  if (!password) fieldErrors.password = "Enter your password.";
  if (Object.keys(fieldErrors).length > 0) return { fieldErrors };
  try {
    await signInWithPassword(client, email, password);
  } catch (error) {
    if (error instanceof SupabaseAuthError) return { error: error.message };
    throw error;
  }
  redirect(safeNext(form.get("next")));
}

/** With Supabase configured: a sign-in link by email (Supabase's magic link, PKCE). */
export async function magicLinkSignIn(_prev: SignInState, form: FormData): Promise<SignInState> {
  const ctx = await getContext();
  const client = await webAuthClient(ctx);
  if (!client) return NOT_CONFIGURED;
  const email = String(form.get("email") ?? "").trim();
  if (!email) return { fieldErrors: { email: "Enter the email address of your account." } };
  try {
    await sendMagicLink(client, email, callbackUrl(ctx, form));
  } catch (error) {
    if (error instanceof SupabaseAuthError) return { error: error.message };
    throw error;
  }
  return {
    notice: `We sent a sign-in link to ${email}. Open it in this browser to sign in.`,
  };
}

/** With Supabase configured: off to the provider (one of ALERTS_SUPABASE_OAUTH_PROVIDERS). */
export async function oauthSignIn(_prev: SignInState, form: FormData): Promise<SignInState> {
  const ctx = await getContext();
  const client = await webAuthClient(ctx);
  if (!client || !ctx.config.webAuth) return NOT_CONFIGURED;
  const provider = String(form.get("provider") ?? "");
  if (!ctx.config.webAuth.oauthProviders.includes(provider)) {
    return { error: `Sign-in with "${provider}" is not offered on this server.` };
  }
  let url: string;
  try {
    url = await oauthUrl(client, provider, callbackUrl(ctx, form));
  } catch (error) {
    if (error instanceof SupabaseAuthError) return { error: error.message };
    throw error;
  }
  redirect(url);
}

export async function signOut(): Promise<void> {
  const ctx = await getContext();
  const client = await webAuthClient(ctx);
  if (client) await supabaseSignOut(client);
  await clearSessionCookies();
  redirect("/signin");
}
