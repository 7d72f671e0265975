import { describe, expect, it } from "vitest";
import { cardOf, JOB_ID } from "@/tests/helpers/alert-cards";
import { WEBHOOK_TYPES } from "../alert.types";
import { CHANNELS, channelFor, previewAlert } from "./index";
import { inferWebhookType, WEBHOOK_KINDS, WEBHOOK_SECRET, webhookKind } from "./kinds";

describe("the channel registry", () => {
  it("has one channel for email and for every webhook type the API accepts, and no other", () => {
    expect(Object.keys(CHANNELS).sort()).toEqual(["email", ...WEBHOOK_TYPES].sort());
  });

  it("gives each kind a channel of that kind with format, send, classify and pacing", () => {
    for (const [kind, channel] of Object.entries(CHANNELS)) {
      expect(channel.kind, kind).toBe(kind);
      expect(typeof channel.format, kind).toBe("function");
      expect(typeof channel.preview, kind).toBe("function");
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

  it("lists each webhook kind once, with what the API and the web UI need of it", () => {
    expect(new Set(WEBHOOK_KINDS.map((k) => k.type)).size).toBe(WEBHOOK_KINDS.length);
    for (const kind of WEBHOOK_KINDS) {
      expect(webhookKind(kind.type), kind.type).toBe(kind);
      expect(WEBHOOK_SECRET[kind.type], kind.type).toBe(kind.secret);
      expect(kind.label.length, kind.type).toBeGreaterThan(0);
      expect(kind.urlHint.length, kind.type).toBeGreaterThan(0);
      expect(kind.badge.fill, kind.type).toMatch(/^#[0-9a-f]{6}$/);
      expect(kind.badge.glyph.length, kind.type).toBeGreaterThan(0);
      // The placeholder (its "…" filled in) and a fixed endpoint are URLs its inference (if any) takes.
      for (const url of [kind.urlPlaceholder, "defaultUrl" in kind ? kind.defaultUrl : undefined]) {
        if (url === undefined || !("inferFrom" in kind)) continue;
        expect(inferWebhookType(new URL(url.replaceAll("…", "a".repeat(26)))), url).toBe(kind.type);
      }
    }
    expect(webhookKind("pigeon")).toBeUndefined();
    expect(webhookKind("toString")).toBeUndefined();
  });

  it("previews what each kind sends for an alert, for the history page", () => {
    const card = cardOf("job_failed");
    for (const kind of Object.keys(CHANNELS)) {
      expect(previewAlert(kind, card), kind).toContain(JOB_ID);
    }
    expect(previewAlert("email", card)).toMatch(/^Subject: /);
    expect(JSON.parse(previewAlert("generic", card) ?? "")).toMatchObject({ type: "job_failed" });
    expect(previewAlert("pigeon", card)).toBeUndefined();
  });
});
