/** History's two views: what was sent (alerts) and what came in (events). */
export function ViewTabs({ current }: { current: "alerts" | "events" }) {
  return (
    <nav aria-label="History views" className="view-tabs">
      <a href="/alerts/history" aria-current={current === "alerts" ? "page" : undefined}>
        Alerts
      </a>
      <a href="/alerts/history/events" aria-current={current === "events" ? "page" : undefined}>
        Events
      </a>
    </nav>
  );
}
