export default function Home() {
  return (
    <main style={{ maxWidth: "40rem" }}>
      <h1>Training Alerts</h1>
      <p>
        Hear when a training job starts, finishes, fails or is cancelled, when a GPU runs out of
        memory, a disk fills up or a job stalls — by email, Slack, Discord or a signed webhook.
      </p>
      <ul>
        <li>
          <a href="/api/openapi.json">API description (OpenAPI 3.1)</a>
        </li>
        <li>
          <a href="/api/health">Health</a>
        </li>
      </ul>
    </main>
  );
}
