import { describe, expect, it } from "vitest";
import { WEBHOOK_TYPES } from "../alert.types";
import { CHANNELS, channelFor } from "./index";

describe("the channel registry", () => {
  it("has one channel for email and for every webhook type the API accepts, and no other", () => {
    expect(Object.keys(CHANNELS).sort()).toEqual(["email", ...WEBHOOK_TYPES].sort());
  });

  it("gives each kind a channel of that kind with format, send, classify and pacing", () => {
    for (const [kind, channel] of Object.entries(CHANNELS)) {
      expect(channel.kind, kind).toBe(kind);
      expect(typeof channel.format, kind).toBe("function");
      expect(typeof channel.send, kind).toBe("function");
      expect(typeof channel.classify, kind).toBe("function");
      expect(channel.pacing.maxInFlight, kind).toBeGreaterThan(0);
    }
  });

  it("knows no kind outside it, not even an inherited property's name", () => {
    expect(channelFor("pigeon")).toBeUndefined();
    expect(channelFor("toString")).toBeUndefined();
    expect(channelFor("__proto__")).toBeUndefined();
  });
});
