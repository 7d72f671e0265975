import { z } from "zod";

/** Field schemas shared by the API's request bodies, with messages that say the fix. */

export const bool = (field = "this field") =>
  z.boolean({ error: `${field} must be true or false` });

export const uuid = z.guid({
  error: "must be a UUID such as 3f2b8c1e-4d5a-4b6c-9d7e-1a2b3c4d5e6f",
});

const DATE_TIME_ERROR = "must be an ISO 8601 date-time such as 2026-01-31T09:00:00Z";

/** An ISO 8601 date-time with offset that PostgreSQL also accepts. */
export const isoDateTime = z.iso
  .datetime({ offset: true, error: DATE_TIME_ERROR })
  // ISO 8601 allows year 0000 and offsets up to ±23:59; PostgreSQL takes neither.
  .refine((s) => !s.startsWith("0000") && !/[+-](1[6-9]|2\d):\d\d$/.test(s), {
    error: DATE_TIME_ERROR,
  });

export const timeOfDay = z
  .string({ error: 'must be a time as "HH:MM" or "HH:MM:SS" (24-hour), e.g. "22:00"' })
  .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, {
    error: 'must be a time as "HH:MM" or "HH:MM:SS" (24-hour), e.g. "22:00"',
  });

const ZONES = new Set<string>(Intl.supportedValuesOf("timeZone"));

/** True for IANA zone names this runtime knows (Europe/Berlin, UTC, Etc/GMT+5). */
export function isIanaTimeZone(name: string): boolean {
  if (ZONES.has(name)) return true;
  // Aliases (US/Pacific, Etc/UTC) are valid IANA names missing from the canonical list.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const timeZone = z
  .string({ error: 'must be an IANA time zone name such as "Europe/Berlin" or "UTC"' })
  .max(64, { error: "must be at most 64 characters" })
  .refine(isIanaTimeZone, {
    error: 'must be an IANA time zone name such as "Europe/Berlin" or "UTC"',
  });

export const email = z
  .email({ error: "must be an email address such as you@example.com" })
  .max(320, { error: "must be at most 320 characters" });

// Control characters in names end up in email headers and chat messages.
export const displayName = z
  .string({ error: "must be a string" })
  .trim()
  .min(1, { error: "must not be empty" })
  .max(100, { error: "must be at most 100 characters" })
  .refine((s) => !/\p{Cc}/u.test(s), {
    error: "must not contain control characters or line breaks",
  });
