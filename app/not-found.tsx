/** 404 for pages (the API answers its own problem+json 404s). */
export default function NotFound() {
  return (
    <main id="main" className="narrow">
      <h1>Not found</h1>
      <p>
        There is nothing here. Go to your <a href="/settings/alerts">alert settings</a> or the{" "}
        <a href="/alerts/history">alert history</a>.
      </p>
    </main>
  );
}
