"use server";

import { redirect } from "next/navigation";
import { HttpError } from "@/lib/http/errors";
import { getContext } from "@/lib/server/context";
import { mintDevSession } from "@/lib/web/dev-session";
import { createSupabaseAuth, SupabaseAuthError } from "@/lib/web/supabase-auth";
import { clearSessionCookies, getSession, safeNext, setSessionCookies } from "../_lib/session";

export interface SignInState {
  /** A message for the whole form. */
  error?: string;
  /** Messages by field name (`email`, `password`). */
  fieldErrors?: Record<string, string>;
}

/** Local mode: any email signs in (the token is minted here, with the local secret). */
export async function devSignIn(_prev: SignInState, form: FormData): Promise<SignInState> {
  const ctx = await getContext();
  try {
    const minted = await mintDevSession(ctx.config, String(form.get("email") ?? ""), ctx.clock());
    await setSessionCookies(ctx, { token: minted.token, maxAge: minted.maxAge });
  } catch (error) {
    if (error instanceof HttpError && error.options.errors?.[0]) {
      return { fieldErrors: { email: error.options.errors[0].message } };
    }
    if (error instanceof HttpError) return { error: error.detail };
    throw error;
  }
  redirect(safeNext(form.get("next")));
}

/** With Supabase configured: email and password against Supabase Auth. */
export async function supabaseSignIn(_prev: SignInState, form: FormData): Promise<SignInState> {
  const ctx = await getContext();
  const webAuth = ctx.config.webAuth;
  if (!webAuth) return { error: "Supabase sign-in is not configured on this server." };
  const email = String(form.get("email") ?? "").trim();
  const password = String(form.get("password") ?? "");
  const fieldErrors: Record<string, string> = {};
  if (!email) fieldErrors.email = "Enter the email address of your account.";
  if (!password) fieldErrors.password = "Enter your password.";
  if (Object.keys(fieldErrors).length > 0) return { fieldErrors };
  try {
    const session = await createSupabaseAuth(webAuth).signInWithPassword(email, password);
    await setSessionCookies(ctx, {
      token: session.accessToken,
      maxAge: session.expiresIn,
      refreshToken: session.refreshToken,
    });
  } catch (error) {
    if (error instanceof SupabaseAuthError) return { error: error.message };
    throw error;
  }
  redirect(safeNext(form.get("next")));
}

export async function signOut(): Promise<void> {
  const ctx = await getContext();
  const session = await getSession();
  if (session && ctx.config.webAuth) {
    await createSupabaseAuth(ctx.config.webAuth).signOut(session.token);
  }
  await clearSessionCookies();
  redirect("/signin");
}
