import "./globals.css";
import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { getContext } from "@/lib/server/context";
import { getSession, type Session } from "./_lib/session";
import { NavLinks } from "./_ui/nav-links";
import { signOut } from "./signin/actions";

export const metadata: Metadata = {
  title: "Training Alerts",
  description: "Alerts for ML training jobs by email, Slack, Discord and signed webhooks",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page depends on the signed-in user: render at request time, never
  // at build time (which would also open the database during `next build`).
  await connection();
  let session: Session | undefined;
  let localMode = false;
  try {
    const ctx = await getContext();
    localMode = ctx.config.localMode;
    session = await getSession();
  } catch {
    // The page itself reports why the service is not ready; the header just has no user.
  }
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <div className="site-header-inner">
            <a href="/" className="brand">
              <Logo /> Training Alerts
            </a>
            {session ? <NavLinks localMode={localMode} /> : null}
            <div className="account">
              {session ? (
                <>
                  <span className="account-email" title={session.userId}>
                    {session.email ?? "Signed in"}
                  </span>
                  <form action={signOut}>
                    <button type="submit" className="link-button">
                      Sign out
                    </button>
                  </form>
                </>
              ) : (
                <a href="/signin">Sign in</a>
              )}
            </div>
          </div>
          {localMode ? (
            <p className="local-mode-note">
              Local mode: dev sign-in, generated secrets, emails in the outbox folder.
            </p>
          ) : null}
        </header>
        {children}
      </body>
    </html>
  );
}

/** The logo (app/icon.svg, also the favicon): a pulse on the accent colour; no emoji font needed. */
function Logo() {
  return (
    <svg className="brand-logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect x="1" y="1" width="30" height="30" rx="7" fill="#1d4ed8" />
      <polyline
        points="5.5,17 11,17 14,8.5 18,23.5 21,13 23,17 26.5,17"
        fill="none"
        stroke="#fff"
        strokeWidth="2.6"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
