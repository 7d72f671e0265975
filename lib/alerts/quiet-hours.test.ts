import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  describeQuietHours,
  type QuietHours,
  quietHoursEnd,
  type ZonedParts,
  zonedParts,
  zonedTimeToInstant,
} from "./quiet-hours";

// 2026 transitions used below:
// Europe/Berlin     spring 03-29 01:00Z (02:00 CET → 03:00 CEST), fall 10-25 01:00Z (03:00 CEST → 02:00 CET)
// America/New_York  spring 03-08 07:00Z (02:00 EST → 03:00 EDT), fall 11-01 06:00Z (02:00 EDT → 01:00 EST)
// Australia/Sydney  fall 04-04 16:00Z (03:00 AEDT → 02:00 AEST), spring 10-03 16:00Z (02:00 AEST → 03:00 AEDT)
// America/Santiago  fall 04-05 03:00Z (24:00 → 23:00), spring 09-06 04:00Z (24:00 → 01:00)

const quiet = (start: string, end: string, timeZone: string): QuietHours => ({
  enabled: true,
  start,
  end,
  timeZone,
});

const endAt = (q: QuietHours, now: string) => quietHoursEnd(q, new Date(now))?.toISOString();

describe("quietHoursEnd", () => {
  const night = quiet("22:00", "08:00", "Europe/Berlin");
  const afternoon = quiet("13:00", "15:00", "Europe/Berlin");

  it("is never quiet when quiet hours are disabled, even inside the window", () => {
    expect(endAt({ ...night, enabled: false }, "2026-07-01T23:30:00Z")).toBeUndefined();
  });

  it("is not quiet outside a same-day window", () => {
    expect(endAt(afternoon, "2026-07-01T08:00:00Z")).toBeUndefined(); // 10:00 CEST
    expect(endAt(afternoon, "2026-07-01T14:00:00Z")).toBeUndefined(); // 16:00 CEST
  });

  it("inside a same-day window ends at today's end time", () => {
    expect(endAt(afternoon, "2026-07-01T12:00:00Z")).toBe("2026-07-01T13:00:00.000Z");
  });

  it("inside a window crossing midnight, before midnight, ends tomorrow morning", () => {
    expect(endAt(night, "2026-07-01T21:30:00Z")).toBe("2026-07-02T06:00:00.000Z"); // 23:30 CEST
  });

  it("inside a window crossing midnight, after midnight, ends this morning", () => {
    expect(endAt(night, "2026-07-01T23:30:00Z")).toBe("2026-07-02T06:00:00.000Z"); // 01:30 CEST
  });

  it("is not quiet in the daytime gap of a window crossing midnight", () => {
    expect(endAt(night, "2026-07-01T12:00:00Z")).toBeUndefined();
  });

  it("is quiet exactly at the start and not a millisecond before", () => {
    expect(endAt(night, "2026-07-01T20:00:00Z")).toBe("2026-07-02T06:00:00.000Z");
    expect(endAt(night, "2026-07-01T19:59:59.999Z")).toBeUndefined();
  });

  it("is not quiet exactly at the end but is a millisecond before", () => {
    expect(endAt(night, "2026-07-02T06:00:00Z")).toBeUndefined();
    expect(endAt(night, "2026-07-02T05:59:59.999Z")).toBe("2026-07-02T06:00:00.000Z");
  });

  it("treats a window whose start equals its end as empty, never quiet", () => {
    const empty = quiet("08:00", "08:00", "Europe/Berlin");
    for (const now of ["2026-07-01T06:00:00Z", "2026-07-01T05:59:59Z", "2026-07-01T18:00:00Z"]) {
      expect(endAt(empty, now)).toBeUndefined();
    }
  });

  it("accepts PostgreSQL TIME text with seconds and fractions", () => {
    const q = quiet("22:00:00", "08:00:30.5", "Europe/Berlin");
    expect(endAt(q, "2026-07-02T06:00:10Z")).toBe("2026-07-02T06:00:30.000Z");
  });

  it("reads 24:00:00 as the end of the day", () => {
    expect(endAt(quiet("22:00", "24:00:00", "UTC"), "2026-06-01T23:59:00Z")).toBe(
      "2026-06-02T00:00:00.000Z",
    );
  });

  it("rejects a time that is not HH:MM[:SS] with a message that says the expected format", () => {
    expect(() => quietHoursEnd(quiet("10pm", "08:00", "UTC"), new Date(0))).toThrow(
      /Quiet hours start "10pm" is not a time of day; expected "HH:MM"/,
    );
    expect(() => quietHoursEnd(quiet("22:00", "25:00", "UTC"), new Date(0))).toThrow(RangeError);
  });

  it("works in UTC", () => {
    const q = quiet("22:00", "06:00", "UTC");
    expect(endAt(q, "2026-06-01T23:00:00Z")).toBe("2026-06-02T06:00:00.000Z");
    expect(endAt(q, "2026-06-01T21:59:59Z")).toBeUndefined();
  });

  it("reads an unknown time zone as UTC instead of throwing", () => {
    const q = quiet("22:00", "06:00", "Mars/Olympus_Mons");
    expect(endAt(q, "2026-06-01T23:00:00Z")).toBe("2026-06-02T06:00:00.000Z");
    expect(endAt(q, "2026-06-01T12:00:00Z")).toBeUndefined();
  });

  it("works in a half-hour zone (Asia/Kolkata, UTC+05:30)", () => {
    const q = quiet("22:00", "07:30", "Asia/Kolkata");
    expect(endAt(q, "2026-01-15T17:00:00Z")).toBe("2026-01-16T02:00:00.000Z"); // 22:30 IST
    expect(endAt(q, "2026-01-15T16:29:59Z")).toBeUndefined(); // 21:59:59 IST
    expect(endAt(q, "2026-01-15T16:30:00Z")).toBe("2026-01-16T02:00:00.000Z"); // 22:00 IST
  });

  it("works in a southern-hemisphere zone in its summer (Australia/Sydney, AEDT)", () => {
    const q = quiet("22:00", "07:00", "Australia/Sydney");
    expect(endAt(q, "2026-01-15T12:00:00Z")).toBe("2026-01-15T20:00:00.000Z");
  });

  describe("Europe/Berlin spring forward (2026-03-29, 02:00 → 03:00)", () => {
    it("a window ending in the skipped hour ends when the clock jumps to 03:00", () => {
      const q = quiet("01:00", "02:30", "Europe/Berlin");
      expect(endAt(q, "2026-03-29T00:30:00Z")).toBe("2026-03-29T01:00:00.000Z"); // 01:30 CET
      expect(endAt(q, "2026-03-29T01:00:00Z")).toBeUndefined(); // 03:00 CEST
    });

    it("a window starting in the skipped hour starts when the clock jumps to 03:00", () => {
      const q = quiet("02:30", "06:00", "Europe/Berlin");
      expect(endAt(q, "2026-03-29T00:59:59Z")).toBeUndefined(); // 01:59:59 CET
      expect(endAt(q, "2026-03-29T01:00:00Z")).toBe("2026-03-29T04:00:00.000Z"); // 06:00 CEST
    });

    it("a window overnight ends at the local end time after the change, an hour shorter", () => {
      const q = quiet("22:00", "08:00", "Europe/Berlin");
      expect(endAt(q, "2026-03-28T21:00:00Z")).toBe("2026-03-29T06:00:00.000Z"); // from 22:00 CET
      expect(endAt(q, "2026-03-28T20:59:59Z")).toBeUndefined();
    });
  });

  describe("Europe/Berlin fall back (2026-10-25, 03:00 → 02:00)", () => {
    const early = quiet("01:00", "02:30", "Europe/Berlin");

    it("a window ending at a repeated time ends at its first occurrence", () => {
      expect(endAt(early, "2026-10-24T23:30:00Z")).toBe("2026-10-25T00:30:00.000Z"); // 01:30 CEST
      expect(endAt(early, "2026-10-25T00:10:00Z")).toBe("2026-10-25T00:30:00.000Z"); // first 02:10
    });

    it("is not quiet again when the clock repeats times the window already passed", () => {
      expect(endAt(early, "2026-10-25T01:10:00Z")).toBeUndefined(); // second 02:10, CET
    });

    it("a window that began in the first pass stays quiet through the repeated hour", () => {
      const q = quiet("02:15", "05:00", "Europe/Berlin");
      expect(endAt(q, "2026-10-25T00:05:00Z")).toBeUndefined(); // first 02:05, before the start
      expect(endAt(q, "2026-10-25T00:15:00Z")).toBe("2026-10-25T04:00:00.000Z"); // first 02:15
      expect(endAt(q, "2026-10-25T01:05:00Z")).toBe("2026-10-25T04:00:00.000Z"); // second 02:05
    });

    it("a window overnight ends at the local end time after the change, an hour longer", () => {
      const q = quiet("22:00", "08:00", "Europe/Berlin");
      expect(endAt(q, "2026-10-24T20:00:00Z")).toBe("2026-10-25T07:00:00.000Z"); // 22:00 CEST
      expect(endAt(q, "2026-10-25T06:59:59Z")).toBe("2026-10-25T07:00:00.000Z");
    });
  });

  describe("America/New_York", () => {
    it("spring forward: a window ending in the skipped hour ends at 03:00 EDT", () => {
      const q = quiet("01:00", "02:30", "America/New_York");
      expect(endAt(q, "2026-03-08T06:30:00Z")).toBe("2026-03-08T07:00:00.000Z"); // 01:30 EST
    });

    it("spring forward: a window overnight ends at 08:00 EDT", () => {
      const q = quiet("22:00", "08:00", "America/New_York");
      expect(endAt(q, "2026-03-08T03:00:00Z")).toBe("2026-03-08T12:00:00.000Z"); // 22:00 EST
    });

    it("fall back: a window ending at 01:30 ends at the first 01:30, not the second", () => {
      const q = quiet("00:00", "01:30", "America/New_York");
      expect(endAt(q, "2026-11-01T05:00:00Z")).toBe("2026-11-01T05:30:00.000Z"); // 01:00 EDT
      expect(endAt(q, "2026-11-01T06:10:00Z")).toBeUndefined(); // 01:10 EST, the repeat
    });

    it("fall back: a window overnight ends at 08:00 EST", () => {
      const q = quiet("22:00", "08:00", "America/New_York");
      expect(endAt(q, "2026-11-01T02:00:00Z")).toBe("2026-11-01T13:00:00.000Z"); // 22:00 EDT
    });
  });

  describe("Australia/Sydney, where the clocks change the other way round", () => {
    it("fall back in April: a window overnight ends at 07:00 AEST", () => {
      const q = quiet("22:00", "07:00", "Australia/Sydney");
      expect(endAt(q, "2026-04-04T11:00:00Z")).toBe("2026-04-04T21:00:00.000Z"); // 22:00 AEDT
    });

    it("spring forward in October: a window ending in the skipped hour ends at 03:00 AEDT", () => {
      const q = quiet("01:00", "02:30", "Australia/Sydney");
      expect(endAt(q, "2026-10-03T15:30:00Z")).toBe("2026-10-03T16:00:00.000Z"); // 01:30 AEST
    });
  });

  describe("America/Santiago, where the clocks change at midnight", () => {
    it("a window ending at a midnight that does not exist ends at 01:00", () => {
      const q = quiet("22:00", "00:00", "America/Santiago");
      expect(endAt(q, "2026-09-06T03:30:00Z")).toBe("2026-09-06T04:00:00.000Z"); // 23:30 -04
    });

    it("a window starting at a midnight that does not exist starts at 01:00", () => {
      const q = quiet("00:00", "06:00", "America/Santiago");
      expect(endAt(q, "2026-09-06T03:59:59Z")).toBeUndefined();
      expect(endAt(q, "2026-09-06T04:00:00Z")).toBe("2026-09-06T09:00:00.000Z"); // 06:00 -03
    });

    it("a late-evening window is not quiet again in the repeated 23:00 hour", () => {
      const q = quiet("23:00", "23:30", "America/Santiago");
      expect(endAt(q, "2026-04-05T02:10:00Z")).toBe("2026-04-05T02:30:00.000Z"); // first 23:10
      expect(endAt(q, "2026-04-05T03:10:00Z")).toBeUndefined(); // second 23:10
    });
  });

  it("stays quiet when the clock falls back across midnight to the evening before", () => {
    // America/Goose_Bay, 2004-10-31 at 00:01 ADT (03:01Z), fell back to 23:01 AST on the 30th.
    const q = quiet("00:00", "06:00", "America/Goose_Bay");
    expect(endAt(q, "2004-10-31T03:00:30Z")).toBe("2004-10-31T10:00:00.000Z"); // 31st 00:00:30 ADT
    expect(endAt(q, "2004-10-31T03:30:00Z")).toBe("2004-10-31T10:00:00.000Z"); // 30th 23:30 AST
  });
});

describe("zonedParts", () => {
  it("reads the wall clock with Sunday as weekday 0", () => {
    expect(zonedParts(new Date("2026-03-29T00:30:00Z"), "Europe/Berlin")).toEqual({
      year: 2026,
      month: 3,
      day: 29,
      hour: 1,
      minute: 30,
      second: 0,
      weekday: 0,
    });
  });

  it("reads midnight as hour 0, not 24", () => {
    expect(zonedParts(new Date("2026-07-01T22:00:00Z"), "Europe/Berlin")).toEqual({
      year: 2026,
      month: 7,
      day: 2,
      hour: 0,
      minute: 0,
      second: 0,
      weekday: 4,
    });
  });

  it("reads half-hour offsets to the second", () => {
    expect(zonedParts(new Date("2026-01-15T18:29:59.999Z"), "Asia/Kolkata")).toMatchObject({
      day: 15,
      hour: 23,
      minute: 59,
      second: 59,
      weekday: 4,
    });
  });

  it("numbers years before AD 1 astronomically (1 BC is year 0)", () => {
    const instant = new Date("-000005-03-01T12:00:00Z");
    expect(zonedParts(instant, "UTC")).toMatchObject({ year: -5, month: 3, day: 1 });
    expect(zonedTimeToInstant(zonedParts(instant, "UTC"), "UTC")).toEqual(instant);
  });

  it("reads an unknown time zone as UTC", () => {
    expect(zonedParts(new Date("2026-01-15T18:29:59Z"), "Not/A_Zone")).toMatchObject({
      hour: 18,
      minute: 29,
      second: 59,
    });
  });

  it("reads the same instant differently on each side of the world", () => {
    const instant = new Date("2026-01-01T00:00:00Z");
    expect(zonedParts(instant, "America/New_York")).toMatchObject({ day: 31, hour: 19 });
    expect(zonedParts(instant, "Australia/Sydney")).toMatchObject({ day: 1, hour: 11 });
  });
});

describe("zonedTimeToInstant", () => {
  const at = (
    local: { year: number; month: number; day: number; hour: number; minute: number },
    zone: string,
  ) => zonedTimeToInstant(local, zone).toISOString();

  it("turns an ordinary local time into its instant", () => {
    expect(at({ year: 2026, month: 7, day: 1, hour: 14, minute: 5 }, "Europe/Berlin")).toBe(
      "2026-07-01T12:05:00.000Z",
    );
    expect(at({ year: 2026, month: 1, day: 15, hour: 22, minute: 30 }, "Asia/Kolkata")).toBe(
      "2026-01-15T17:00:00.000Z",
    );
  });

  it("turns a time in a DST gap into the first instant after the gap", () => {
    expect(at({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, "Europe/Berlin")).toBe(
      "2026-03-29T01:00:00.000Z",
    );
    expect(at({ year: 2026, month: 3, day: 8, hour: 2, minute: 0 }, "America/New_York")).toBe(
      "2026-03-08T07:00:00.000Z",
    );
  });

  it("turns a time in a DST overlap into the earlier instant", () => {
    expect(at({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, "Europe/Berlin")).toBe(
      "2026-10-25T00:30:00.000Z",
    );
    expect(at({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, "America/New_York")).toBe(
      "2026-11-01T05:30:00.000Z",
    );
  });

  it("turns a day skipped by a date-line change into the first instant after it", () => {
    // Samoa skipped 2011-12-30 entirely, jumping from UTC-10 to UTC+14.
    expect(at({ year: 2011, month: 12, day: 30, hour: 12, minute: 0 }, "Pacific/Apia")).toBe(
      "2011-12-30T10:00:00.000Z",
    );
  });

  // Fixed seeds keep the runs reproducible; fast-check still biases towards edge values.
  const zones = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Australia/Lord_Howe", // 30-minute DST
    "America/Santiago", // transitions at midnight
    "Pacific/Chatham", // UTC+12:45 / +13:45
    "America/St_Johns", // UTC-03:30 with DST
    "Pacific/Apia", // skipped a whole day in 2011
  ];
  const min = new Date("1900-01-01T00:00:00Z");
  const max = new Date("2100-01-01T00:00:00Z");
  const wallOf = (p: ZonedParts | Required<Parameters<typeof zonedTimeToInstant>[0]>) => [
    p.year,
    p.month,
    p.day,
    p.hour,
    p.minute,
    p.second,
  ];
  const compare = (a: number[], b: number[]) => {
    for (let i = 0; i < a.length; i++) {
      const d = (a[i] ?? 0) - (b[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  };

  it("round-trips the wall clock of 2,000 random instants, giving the earliest instant that reads it", () => {
    fc.assert(
      fc.property(
        fc.date({ min, max, noInvalidDate: true }),
        fc.constantFrom(...zones),
        (date, zone) => {
          const instant = Math.floor(date.getTime() / 1000) * 1000;
          const parts = zonedParts(new Date(instant), zone);
          const back = zonedTimeToInstant(parts, zone);
          expect(zonedParts(back, zone)).toEqual(parts);
          // Later only when `instant` is in the second pass of a repeated hour.
          expect(back.getTime()).toBeLessThanOrEqual(instant);
          expect(instant - back.getTime()).toBeLessThanOrEqual(3 * 3_600_000);
        },
      ),
      { numRuns: 2000, seed: 20260329 },
    );
  });

  it("maps 2,000 random local times to an instant that reads them, or to the end of their gap", () => {
    fc.assert(
      fc.property(
        fc.record({
          year: fc.integer({ min: 1900, max: 2099 }),
          month: fc.integer({ min: 1, max: 12 }),
          day: fc.integer({ min: 1, max: 28 }),
          hour: fc.integer({ min: 0, max: 23 }),
          minute: fc.integer({ min: 0, max: 59 }),
          second: fc.integer({ min: 0, max: 59 }),
        }),
        fc.constantFrom(...zones),
        (local, zone) => {
          const instant = zonedTimeToInstant(local, zone);
          const reads = wallOf(zonedParts(instant, zone));
          const secondBefore = wallOf(zonedParts(new Date(instant.getTime() - 1000), zone));
          if (compare(reads, wallOf(local)) === 0) {
            // The earliest: no instant up to three hours before reads the same.
            for (const minutes of [30, 60, 120, 180]) {
              const earlier = new Date(instant.getTime() - minutes * 60_000);
              expect(wallOf(zonedParts(earlier, zone))).not.toEqual(wallOf(local));
            }
          } else {
            // A gap: the clock jumped over `local` at exactly this instant.
            expect(compare(reads, wallOf(local))).toBeGreaterThan(0);
            expect(compare(secondBefore, wallOf(local))).toBeLessThan(0);
          }
        },
      ),
      { numRuns: 2000, seed: 20261025 },
    );
  });
});

describe("describeQuietHours", () => {
  const night = quiet("22:00", "08:00", "Europe/Berlin");

  it("says alerts are on outside the window", () => {
    expect(describeQuietHours(night, new Date("2026-07-01T12:05:00Z"))).toBe(
      "22:00–08:00 Europe/Berlin, now 14:05 — alerts are on",
    );
  });

  it("says until when it is quiet after midnight", () => {
    expect(describeQuietHours(night, new Date("2026-07-02T01:00:00Z"))).toBe(
      "22:00–08:00 Europe/Berlin, now 03:00 — quiet until 08:00",
    );
  });

  it("says tomorrow when the quiet window ends on the next local day", () => {
    expect(describeQuietHours(night, new Date("2026-07-01T21:10:00Z"))).toBe(
      "22:00–08:00 Europe/Berlin, now 23:10 — quiet until 08:00 tomorrow",
    );
  });

  it("shows the real end when the configured end falls in a DST gap", () => {
    const q = quiet("01:00:00", "02:30:00", "Europe/Berlin");
    expect(describeQuietHours(q, new Date("2026-03-29T00:30:00Z"))).toBe(
      "01:00–02:30 Europe/Berlin, now 01:30 — quiet until 03:00",
    );
  });

  it("says quiet hours are off when disabled", () => {
    expect(describeQuietHours({ ...night, enabled: false }, new Date("2026-07-01T21:10:00Z"))).toBe(
      "Quiet hours off (Europe/Berlin, now 23:10) — alerts are on",
    );
  });

  it("says an empty window is never quiet", () => {
    expect(
      describeQuietHours(
        quiet("08:00", "08:00", "Europe/Berlin"),
        new Date("2026-07-01T06:00:00Z"),
      ),
    ).toBe("08:00–08:00 Europe/Berlin (empty window, never quiet), now 08:00 — alerts are on");
  });

  it("shows seconds only when the times have them", () => {
    expect(
      describeQuietHours(quiet("22:00:00", "08:00:30", "UTC"), new Date("2026-07-01T23:00:00Z")),
    ).toBe("22:00–08:00:30 UTC, now 23:00 — quiet until 08:00:30 tomorrow");
  });

  it("says when an unknown time zone is being read as UTC", () => {
    expect(
      describeQuietHours(quiet("22:00", "08:00", "Mars/Base"), new Date("2026-07-01T12:05:00Z")),
    ).toBe('22:00–08:00 UTC ("Mars/Base" is not a known time zone), now 12:05 — alerts are on');
  });
});
