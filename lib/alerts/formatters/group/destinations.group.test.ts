import { describe, expect, it } from "vitest";
import { adaptiveCardErrors } from "@/tests/helpers/adaptive-card";
import { APP_URL, EMOJI, isWellFormed, RTL } from "@/tests/helpers/alert-cards";
import { groupOf, historyUrl, hostile, jobIdOf } from "@/tests/helpers/group-cards";
import { telegramHtmlProblems } from "@/tests/helpers/telegram-html";
import { WEBHOOK_TYPES } from "../../alert.types";
import { channelFor, groupsAlerts } from "../../channels/index";
import { utf8Length } from "../fit";
import { MATTERMOST_LIMITS, mattermostLength } from "../mattermost.formatter";
import { NTFY_LIMITS } from "../ntfy.formatter";
import { PAGERDUTY_LIMITS } from "../pagerduty.formatter";
import { TEAMS_LIMITS, type TeamsPayload } from "../teams.formatter";
import { TELEGRAM_LIMITS } from "../telegram.formatter";
import { formatMattermostGroup } from "./mattermost.group";
import { formatNtfyGroup } from "./ntfy.group";
import { formatPagerDutyGroup, PAGERDUTY_GROUP, pagerDutyGroupDedupKey } from "./pagerduty.group";
import { formatTeamsGroup } from "./teams.group";
import { formatTelegramGroup } from "./telegram.group";

/**
 * Group messages for the destinations of issue 20 (Teams, Telegram, ntfy,
 * PagerDuty, Mattermost): headline with count and type, members newest
 * first, "+K more" to the history, and every platform limit for 1 and
 * 1,000 members, hostile ones included.
 */

const HEADLINE = "❌ 37 training jobs failed — sweep lr-search";
/** Markup and mentions aimed at every platform at once. */
const MARKUP = `</b><a href="http://evil.example">click</a> @channel @all [x](http://evil.example) ${EMOJI} ${RTL}`;
const hostileAll = (i: number) => ({
  ...hostile(i),
  model_name: `${MARKUP} ${hostile(i).model_name}`,
});
const hostileCard = () => groupOf(1000, { label: `${MARKUP} ${"s".repeat(300)}` }, hostileAll);

/** "+K more" as a number, 0 when absent. */
const moreOf = (text: string) => Number(/\+(\d+) more/.exec(text)?.[1] ?? 0);

// --- Teams -----------------------------------------------------------------

const teamsTexts = (p: TeamsPayload) =>
  p.attachments[0].content.body.flatMap((b) => (b.type === "TextBlock" ? [b.text] : []));

function expectTeamsLimits(p: TeamsPayload) {
  expect(adaptiveCardErrors(p.attachments[0].content)).toEqual([]);
  expect(utf8Length(JSON.stringify(p))).toBeLessThanOrEqual(TEAMS_LIMITS.bodyBytes);
  expect(isWellFormed(JSON.stringify(p))).toBe(true);
  expect(new URL(p.attachments[0].content.actions[0].url).origin).toBe(APP_URL);
}
/** Member lines: "[name](job url) — line". */
const teamsMembers = (p: TeamsPayload) =>
  teamsTexts(p).filter((t) => t.includes("/training/monitor?jobId="));

describe("Teams group message", () => {
  it("heads with count and type, lists members newest first as links, then +K more", () => {
    const p = formatTeamsGroup(groupOf(37));
    const texts = teamsTexts(p);
    expect(texts[0]).toBe(HEADLINE);
    const members = teamsMembers(p);
    expect(members).toHaveLength(25);
    expect(members[0]).toBe(
      `[mistral-7b-lr-36](${APP_URL}/training/monitor?jobId=${jobIdOf(36)}) — RuntimeError: NCCL error on rank 36`,
    );
    expect(members[24]).toContain("mistral-7b-lr-12");
    expect(texts.at(-1)).toBe(`+12 more — [see all 37 in history](${historyUrl})`);
    expect(p.attachments[0].content.actions).toEqual([
      { type: "Action.OpenUrl", title: "View in History", url: historyUrl },
    ]);
    expectTeamsLimits(p);
  });

  it("has one member and no +K more for a batch of 1", () => {
    const p = formatTeamsGroup(groupOf(1));
    expect(teamsMembers(p)).toHaveLength(1);
    expect(teamsTexts(p).some((t) => t.startsWith("+"))).toBe(false);
    expectTeamsLimits(p);
  });

  it("stays a valid card under 20 KB for 1,000 hostile members and counts all of them", () => {
    const p = formatTeamsGroup(hostileCard());
    expectTeamsLimits(p);
    const texts = teamsTexts(p);
    expect(teamsMembers(p).length + moreOf(texts.at(-1) ?? "")).toBe(1000);
    // No disguised link: every link's target is the app.
    for (const t of texts) {
      for (const [, url] of t.matchAll(/\]\(([^)]*)\)/g))
        expect(url?.startsWith(APP_URL), t).toBe(true);
    }
  });
});

// --- Telegram --------------------------------------------------------------

describe("Telegram group message", () => {
  it("heads with count and type in bold, lists members newest first as links, then +K more", () => {
    const p = formatTelegramGroup(groupOf(37));
    expect(p.text.startsWith(`<b>${HEADLINE}</b>\n`)).toBe(true);
    const lines = p.text.split("\n").filter((l) => l.startsWith("• "));
    expect(lines).toHaveLength(20);
    expect(lines[0]).toBe(
      `• <a href="${APP_URL}/training/monitor?jobId=${jobIdOf(36)}">mistral-7b-lr-36</a> — RuntimeError: NCCL error on rank 36`,
    );
    expect(p.text).toContain(
      `+17 more — <a href="${historyUrl.replace("&", "&amp;")}">see all 37 in history</a>`,
    );
    expect(p.reply_markup.inline_keyboard[0][0]).toEqual({
      text: "View in History",
      url: historyUrl,
    });
    expect(p.link_preview_options).toEqual({ is_disabled: true });
    expect(telegramHtmlProblems(p.text, { links: true })).toEqual([]);
  });

  it("lists a batch of 1 without +K more", () => {
    const p = formatTelegramGroup(groupOf(1));
    expect(p.text).toContain("mistral-7b-lr-0</a>");
    expect(p.text).not.toContain("more —");
    expect(telegramHtmlProblems(p.text, { links: true })).toEqual([]);
  });

  it("is valid HTML within 4,096 characters for 1,000 hostile members and counts all of them", () => {
    const p = formatTelegramGroup(hostileCard());
    expect(p.text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.text);
    expect(telegramHtmlProblems(p.text, { links: true })).toEqual([]);
    expect(isWellFormed(p.text)).toBe(true);
    const listed = p.text.split("\n").filter((l) => l.startsWith("• ")).length;
    expect(listed + moreOf(p.text)).toBe(1000);
    // Only our own links; the injected one and its mention are text.
    for (const [, href] of p.text.matchAll(/<a href="([^"]*)">/g)) {
      expect(href?.startsWith(APP_URL)).toBe(true);
    }
    expect(p.text).not.toMatch(/@channel/);
  });
});

// --- ntfy ------------------------------------------------------------------

describe("ntfy group message", () => {
  it("titles with count and type, lists members newest first with their links, then +K more", () => {
    const p = formatNtfyGroup(groupOf(37));
    expect(p.title).toBe("37 training jobs failed — sweep lr-search");
    expect(p.tags).toEqual(["x"]);
    expect(p.priority).toBe(4);
    const lines = p.message.split("\n");
    const first = lines.findIndex((l) => l.startsWith("• "));
    expect(lines[first]).toBe("• mistral-7b-lr-36 — RuntimeError: NCCL error on rank 36");
    expect(lines[first + 1]).toBe(`  ${APP_URL}/training/monitor?jobId=${jobIdOf(36)}`);
    expect(lines.filter((l) => l.startsWith("• "))).toHaveLength(15);
    expect(p.message).toContain(`+22 more — see all 37: ${historyUrl}`);
    expect(p.click).toBe(historyUrl);
    expect(p.actions).toEqual([
      { action: "view", label: "View in History", url: historyUrl, clear: true },
    ]);
  });

  it("lists a batch of 1 without +K more", () => {
    const p = formatNtfyGroup(groupOf(1));
    expect(p.message).toContain("• mistral-7b-lr-0");
    expect(p.message).not.toContain("more —");
  });

  it("keeps the message within 4,096 bytes for 1,000 hostile members and counts all of them", () => {
    const p = formatNtfyGroup(hostileCard());
    expect(utf8Length(p.message)).toBeLessThanOrEqual(NTFY_LIMITS.messageBytes);
    expect(p.title.length).toBeLessThanOrEqual(NTFY_LIMITS.title);
    expect(isWellFormed(p.message) && isWellFormed(p.title)).toBe(true);
    const listed = p.message.split("\n").filter((l) => l.startsWith("• ")).length;
    expect(listed).toBeGreaterThan(0);
    expect(listed + moreOf(p.message)).toBe(1000);
  });
});

// --- Mattermost ------------------------------------------------------------

describe("Mattermost group message", () => {
  it("titles with count and type, lists members newest first as links, then +K more", () => {
    const a = formatMattermostGroup(groupOf(37)).attachments[0];
    expect(a.title).toBe(HEADLINE);
    expect(a.title_link).toBe(historyUrl);
    const lines = a.text.split("\n").filter((l) => l.startsWith("• "));
    expect(lines).toHaveLength(25);
    expect(lines[0]).toBe(
      `• [mistral-7b-lr-36](${APP_URL}/training/monitor?jobId=${jobIdOf(36)}) — RuntimeError: NCCL error on rank 36`,
    );
    expect(a.text).toContain(`+12 more — [see all 37 in history](${historyUrl})`);
    expect(a.fields).toEqual([
      { short: true, title: "Alerts", value: "37" },
      { short: true, title: "Group", value: "lr-search" },
    ]);
  });

  it("lists a batch of 1 without +K more", () => {
    const a = formatMattermostGroup(groupOf(1)).attachments[0];
    expect(a.text.split("\n").filter((l) => l.startsWith("• "))).toHaveLength(1);
    expect(a.text).not.toContain("more —");
  });

  it("stays within 16,383 characters for 1,000 hostile members, notifies no one, and counts all", () => {
    const p = formatMattermostGroup(hostileCard());
    const a = p.attachments[0];
    expect(mattermostLength(a)).toBeLessThanOrEqual(MATTERMOST_LIMITS.total);
    expect(isWellFormed(JSON.stringify(p))).toBe(true);
    const listed = a.text.split("\n").filter((l) => l.startsWith("• ")).length;
    expect(listed + moreOf(a.text)).toBe(1000);
    expect(JSON.stringify(p)).not.toMatch(/[@~](channel|all|here)\b/);
    for (const [, url] of a.text.matchAll(/\]\(([^)]*)\)/g))
      expect(url?.startsWith(APP_URL)).toBe(true);
  });
});

// --- PagerDuty -------------------------------------------------------------

describe("PagerDuty group message", () => {
  it("is one trigger on the group's incident, with the members in custom_details", () => {
    const e = formatPagerDutyGroup(groupOf(37));
    expect(e).toMatchObject({
      event_action: "trigger",
      dedup_key: "group:job_failed:lr-search",
      payload: {
        severity: "error",
        source: "lr-search",
        class: "job_failed",
        timestamp: "2026-03-02T12:01:00.000Z",
        custom_details: { alert_type: "job_failed", group: "lr-search", count: 37, omitted: 0 },
      },
    });
    expect(e?.payload.summary.startsWith(`${HEADLINE}: `)).toBe(true);
    const alerts = e?.payload.custom_details.alerts ?? [];
    expect(alerts).toHaveLength(37);
    expect(alerts[0]).toEqual({
      name: "mistral-7b-lr-36",
      line: "RuntimeError: NCCL error on rank 36",
      job_id: jobIdOf(36),
      url: `${APP_URL}/training/monitor?jobId=${jobIdOf(36)}`,
      at: "2026-03-02T12:00:00.360Z",
    });
    expect(e?.links[0]).toEqual({ href: historyUrl, text: "See all 37 in history" });
    expect(e?.links).toHaveLength(1 + PAGERDUTY_GROUP.links);
  });

  it("keeps the same dedup_key in every window, and one without a label", () => {
    expect(pagerDutyGroupDedupKey(groupOf(2, { id: "other-batch" }))).toBe(
      "group:job_failed:lr-search",
    );
    expect(formatPagerDutyGroup(groupOf(1, { label: null }))?.dedup_key).toBe("group:job_failed");
    expect(
      pagerDutyGroupDedupKey({ type: "job_failed", label: "x".repeat(400) }).length,
    ).toBeLessThanOrEqual(PAGERDUTY_LIMITS.dedupKey);
  });

  it("takes the worst member's severity (a disk at 98 % is critical)", () => {
    const e = formatPagerDutyGroup(
      groupOf(3, { type: "disk_warning" }, (i) => ({ disk_used_percent: i === 1 ? 99 : 91 })),
    );
    expect(e?.payload.severity).toBe("critical");
  });

  it("has no event for a type PagerDuty does not trigger on", () => {
    expect(formatPagerDutyGroup(groupOf(3, { type: "job_completed" }))).toBeUndefined();
  });

  it("bounds summary and event for 1,000 hostile members, counting every one", () => {
    const e = formatPagerDutyGroup(hostileCard());
    expect(e?.payload.summary.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summary);
    expect(e?.dedup_key.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.dedupKey);
    const json = JSON.stringify(e);
    expect(utf8Length(json)).toBeLessThanOrEqual(PAGERDUTY_GROUP.bytes);
    expect(isWellFormed(json)).toBe(true);
    const d = e?.payload.custom_details;
    expect((d?.alerts.length ?? 0) + (d?.omitted ?? 0)).toBe(1000);
    expect(d?.alerts.length).toBeGreaterThan(0);
  });
});

describe("the registry", () => {
  it("groups every kind, PagerDuty only for the alerts that page", () => {
    for (const kind of ["email", ...WEBHOOK_TYPES]) {
      expect(channelFor(kind)?.formatGroup, kind).toBeDefined();
      expect(groupsAlerts(kind, "job_failed"), kind).toBe(true);
    }
    expect(groupsAlerts("pagerduty", "timeout_warning")).toBe(true);
    expect(groupsAlerts("pagerduty", "job_completed")).toBe(false);
    expect(groupsAlerts("pagerduty", "job_started")).toBe(false);
    expect(groupsAlerts("slack", "job_completed")).toBe(true);
    expect(groupsAlerts("unknown", "job_failed")).toBe(false);
  });
});
