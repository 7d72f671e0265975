/** `/alerts/history?…` with the given filters (the page and `GET /api/alerts/history` take the same names). */
export function historyPath(f: {
  group?: string | null;
  alertType?: string;
  since?: Date;
}): string {
  const q = new URLSearchParams();
  if (f.group) q.set("group", f.group);
  if (f.alertType) q.set("alert_type", f.alertType);
  if (f.since && Number.isFinite(f.since.getTime())) q.set("since", f.since.toISOString());
  const query = q.toString();
  return query ? `/alerts/history?${query}` : "/alerts/history";
}
