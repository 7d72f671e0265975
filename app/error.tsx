"use client";

/** An unexpected failure while rendering a page; the details are in the server log. */
export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <main id="main" className="narrow">
      <h1>Something went wrong</h1>
      <p className="banner banner-error" role="alert">
        This page could not be shown. If the service has just started, the database may still be
        opening; try again in a moment. The cause has been logged on the server.
      </p>
      <button type="button" className="primary" onClick={() => reset()}>
        Try again
      </button>
    </main>
  );
}
