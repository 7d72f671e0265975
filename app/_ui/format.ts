/**
 * "1 Mar 2026, 14:05" in the given IANA zone (the user's preference), or
 * "—" for no time. Formatted on the server so the page and its hydration agree.
 */
export function formatWhen(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat("en-GB", {
      timeZone,
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(date);
  } catch {
    return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  }
}

/** Every IANA zone this runtime knows, UTC first (Node's list may omit it). */
export function timeZoneNames(): string[] {
  const names = Intl.supportedValuesOf("timeZone");
  return ["UTC", ...names.filter((n) => n !== "UTC")];
}
