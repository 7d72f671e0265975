import { describe, expect, it } from "vitest";
import { quietHoursEnd } from "../quiet-hours";
import { type GroupingInput, isGroupable, planGrouping } from "./plan-grouping";

const T0 = Date.parse("2026-03-02T12:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const never = () => undefined;

const input = (over: Partial<GroupingInput> = {}): GroupingInput => ({
  windowSeconds: 60,
  groupable: true,
  state: { lastMessageAt: null, openBatch: null },
  now: at(0),
  quietUntil: never,
  ...over,
});

describe("planGrouping", () => {
  it("delivers a lone alert at once: no message of its group before", () => {
    expect(planGrouping(input())).toEqual({ kind: "immediate" });
  });

  it("delivers at once when the group's last message is a whole window old", () => {
    const state = { lastMessageAt: at(0), openBatch: null };
    expect(planGrouping(input({ state, now: at(60) }))).toEqual({ kind: "immediate" });
    expect(planGrouping(input({ state, now: at(3600) }))).toEqual({ kind: "immediate" });
  });

  it("opens a batch due when the last message's window ends", () => {
    const state = { lastMessageAt: at(0), openBatch: null };
    expect(planGrouping(input({ state, now: at(0.2) }))).toEqual({
      kind: "open",
      releaseAt: at(60),
    });
    expect(planGrouping(input({ state, now: at(59.9) }))).toEqual({
      kind: "open",
      releaseAt: at(60),
    });
  });

  it("joins the open batch without moving its window", () => {
    const state = { lastMessageAt: at(0), openBatch: { id: "b1", releaseAt: at(60) } };
    expect(planGrouping(input({ state, now: at(30) }))).toEqual({
      kind: "join",
      batchId: "b1",
      releaseAt: at(60),
    });
    // A batch whose window has ended but whose message is not yet claimed still takes members.
    expect(planGrouping(input({ state, now: at(61) }))).toMatchObject({ kind: "join" });
  });

  it("makes one message per window for a burst that goes on", () => {
    // Alerts every 2 s for 5 minutes; the engine releases each batch at its window's end.
    let lastMessageAt: Date | null = null;
    let open: { id: string; releaseAt: Date } | null = null;
    const messages: number[] = [];
    for (let t = 0; t <= 300; t += 2) {
      if (open && open.releaseAt.getTime() <= at(t).getTime()) {
        messages.push((open.releaseAt.getTime() - T0) / 1000);
        lastMessageAt = open.releaseAt;
        open = null;
      }
      const d = planGrouping(input({ state: { lastMessageAt, openBatch: open }, now: at(t) }));
      if (d.kind === "immediate") {
        messages.push(t);
        lastMessageAt = at(t);
      } else if (d.kind === "open") open = { id: `b${t}`, releaseAt: d.releaseAt };
    }
    expect(messages).toEqual([0, 60, 120, 180, 240, 300]);
  });

  it("is off at a window of 0, and for types or destinations that are never grouped", () => {
    const state = { lastMessageAt: at(0), openBatch: { id: "b1", releaseAt: at(60) } };
    expect(planGrouping(input({ windowSeconds: 0, state, now: at(1) }))).toEqual({ kind: "alone" });
    expect(planGrouping(input({ groupable: false, state, now: at(1) }))).toEqual({
      kind: "alone",
    });
    expect(isGroupable("job_failed", true)).toBe(true);
    expect(isGroupable("job_failed", false)).toBe(false);
    for (const t of ["daily_summary", "weekly_digest", "group_completed", "rate_limit_notice"]) {
      expect(isGroupable(t, true)).toBe(false);
    }
  });

  describe("with quiet hours 22:00–08:00 UTC", () => {
    const quiet = { enabled: true, start: "22:00", end: "08:00", timeZone: "UTC" };
    const quietUntil = (d: Date) => quietHoursEnd(quiet, d);
    const night = Date.parse("2026-03-02T23:00:00Z");
    const morning = new Date("2026-03-03T08:00:00Z");

    it("holds the first alert of the night in a batch due when quiet hours end", () => {
      expect(planGrouping(input({ now: new Date(night), quietUntil }))).toEqual({
        kind: "open",
        releaseAt: morning,
      });
    });

    it("puts every alert of the night into that one batch", () => {
      const state = { lastMessageAt: null, openBatch: { id: "night", releaseAt: morning } };
      expect(planGrouping(input({ state, now: new Date(night + 3600_000), quietUntil }))).toEqual({
        kind: "join",
        batchId: "night",
        releaseAt: morning,
      });
    });

    it("holds a batch opened before quiet hours until they end, once a member arrives inside them", () => {
      const before = new Date("2026-03-02T21:59:30Z");
      const state = {
        lastMessageAt: new Date("2026-03-02T21:59:00Z"),
        openBatch: { id: "b", releaseAt: new Date("2026-03-02T22:00:00Z") },
      };
      expect(
        planGrouping(input({ state, now: new Date("2026-03-02T22:00:10Z"), quietUntil })),
      ).toEqual({ kind: "join", batchId: "b", releaseAt: morning });
      // A batch opened before quiet hours whose window ends inside them waits for their end.
      const open = planGrouping(
        input({
          state: { lastMessageAt: new Date("2026-03-02T21:59:00Z"), openBatch: null },
          now: before,
          quietUntil,
        }),
      );
      expect(open).toEqual({ kind: "open", releaseAt: morning });
    });
  });
});
