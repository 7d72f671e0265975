import { describe, expect, it } from "vitest";
import { APP_URL, hostileName, isWellFormed } from "@/tests/helpers/alert-cards";
import {
  BATCH_ID,
  groupOf,
  historyUrl,
  hostile,
  jobIdOf,
  member,
} from "@/tests/helpers/group-cards";
import { CHANNELS, channelFor } from "../../channels/index";
import type { GroupCard } from "../../grouping/group-card";
import { groupHeadline } from "../../grouping/group-view";
import { DISCORD_LIMITS, embedLength } from "../discord.formatter";
import { SLACK_LIMITS, type SlackBlock, type SlackPayload } from "../slack.formatter";
import { formatDiscordGroup } from "./discord.group";
import { EMAIL_GROUP, formatEmailGroup } from "./email.group";
import { formatGenericGroup, GENERIC_GROUP } from "./generic.group";
import { formatSlackGroup } from "./slack.group";

describe("group headline", () => {
  it("says the count and the type, and names the sweep", () => {
    expect(groupHeadline("job_failed", 37, "lr-search")).toBe(
      "❌ 37 training jobs failed — sweep lr-search",
    );
    expect(groupHeadline("job_failed", 1, null)).toBe("❌ 1 training job failed");
    expect(groupHeadline("gpu_oom", 3, null)).toBe("💥 3 GPU out-of-memory errors");
    expect(groupHeadline("something_new", 2, null)).toBe("🔔 2 alerts (something_new)");
  });
});

// --- Slack -----------------------------------------------------------------

const sections = (p: SlackPayload) =>
  p.blocks.filter((b): b is Extract<SlackBlock, { type: "section" }> => b.type === "section");
const contexts = (p: SlackPayload) =>
  p.blocks.filter((b): b is Extract<SlackBlock, { type: "context" }> => b.type === "context");

function expectSlackLimits(p: SlackPayload) {
  const L = SLACK_LIMITS;
  expect(p.text.length).toBeGreaterThan(0);
  expect(p.text.length).toBeLessThanOrEqual(L.fallbackText);
  expect(p.blocks.length).toBeLessThanOrEqual(L.blocks);
  const header = p.blocks[0];
  expect(header?.type).toBe("header");
  if (header?.type === "header") expect(header.text.text.length).toBeLessThanOrEqual(L.header);
  for (const s of sections(p)) {
    expect(s.text?.text.length ?? 0).toBeLessThanOrEqual(L.sectionText);
    expect(s.fields?.length ?? 0).toBeLessThanOrEqual(L.fields);
  }
  for (const c of contexts(p)) {
    for (const e of c.elements) expect(e.text.length).toBeLessThanOrEqual(L.sectionText);
  }
  const json = JSON.stringify(p);
  expect(isWellFormed(json)).toBe(true);
  // Far below what Slack accepts in one message; a screenful, not a scroll.
  expect(json.length).toBeLessThan(16_000);
}

describe("Slack group message", () => {
  it("heads with count and type, lists members newest first with model, key line and link, then +K more", () => {
    const p = formatSlackGroup(groupOf(37));
    expect(p.blocks[0]).toMatchObject({
      type: "header",
      text: { type: "plain_text", text: "❌ 37 training jobs failed — sweep lr-search" },
    });
    const list = sections(p)
      .slice(1)
      .map((s) => s.text?.text ?? "")
      .join("\n")
      .split("\n");
    expect(list).toHaveLength(20);
    expect(list[0]).toBe(
      `• <${APP_URL}/training/monitor?jobId=${jobIdOf(36)}|*mistral-7b-lr-36*> — RuntimeError: NCCL error on rank 36`,
    );
    expect(list[19]).toContain("mistral-7b-lr-17");
    const more = contexts(p).find((c) => c.elements[0]?.text.startsWith("+"));
    expect(more?.elements[0]?.text).toBe(`+17 more — <${historyUrl}|see all 37 in history>`);
    expect(p.text).toContain("❌ 37 training jobs failed — sweep lr-search");
    expectSlackLimits(p);
  });

  it("has no +K more line when every member is listed", () => {
    const p = formatSlackGroup(groupOf(3));
    expect(contexts(p).some((c) => c.elements[0]?.text.startsWith("+"))).toBe(false);
    expect(sections(p)[1]?.text?.text.split("\n")).toHaveLength(3);
    expectSlackLimits(p);
  });

  it("keeps every limit for 1,000 hostile members and counts all of them", () => {
    const p = formatSlackGroup(groupOf(1000, {}, hostile));
    expectSlackLimits(p);
    const listed = sections(p)
      .slice(1)
      .flatMap((s) => s.text?.text.split("\n") ?? []).length;
    const more = contexts(p)
      .map((c) => /^\+(\d+) more/.exec(c.elements[0]?.text ?? "")?.[1])
      .find(Boolean);
    expect(listed + Number(more)).toBe(1000);
    const body = JSON.stringify(p);
    expect(body).not.toContain("<!channel>");
    expect(body).not.toContain("<@U123>");
    expect(body).not.toContain("<http://evil.example|click>");
  });

  it("counts members the loader did not pass (total beyond members)", () => {
    const p = formatSlackGroup(groupOf(5, { total: 300 }));
    expect(p.blocks[0]).toMatchObject({
      text: { text: "❌ 300 training jobs failed — sweep lr-search" },
    });
    expect(JSON.stringify(p)).toContain("+295 more");
  });
});

// --- Discord ---------------------------------------------------------------

function expectDiscordLimits(p: ReturnType<typeof formatDiscordGroup>) {
  const L = DISCORD_LIMITS;
  const e = p.embeds[0];
  expect(p.embeds).toHaveLength(1);
  expect(e.title.length).toBeGreaterThan(0);
  expect(e.title.length).toBeLessThanOrEqual(L.title);
  expect(e.description?.length ?? 0).toBeLessThanOrEqual(L.description);
  expect(e.fields.length).toBeLessThanOrEqual(L.fields);
  for (const f of e.fields) {
    expect(f.name.length).toBeGreaterThan(0);
    expect(f.name.length).toBeLessThanOrEqual(L.fieldName);
    expect(f.value.length).toBeGreaterThan(0);
    expect(f.value.length).toBeLessThanOrEqual(L.fieldValue);
  }
  expect(e.footer.text.length).toBeLessThanOrEqual(L.footer);
  expect(embedLength(e)).toBeLessThanOrEqual(L.total);
  expect(p.allowed_mentions).toEqual({ parse: [] });
  expect(isWellFormed(JSON.stringify(p))).toBe(true);
}

const listedDiscord = (p: ReturnType<typeof formatDiscordGroup>) =>
  (p.embeds[0].description ?? "").split("\n").filter((l) => l.startsWith("• "));

describe("Discord group message", () => {
  it("titles with count and type, lists members newest first as masked links, then +K more", () => {
    const p = formatDiscordGroup(groupOf(37));
    const e = p.embeds[0];
    expect(e.title).toBe("❌ 37 training jobs failed — sweep lr-search");
    expect(e.url).toBe(historyUrl);
    expect(e.color).toBe(15158332);
    const lines = listedDiscord(p);
    expect(lines[0]).toBe(
      `• [mistral-7b-lr-36](${APP_URL}/training/monitor?jobId=${jobIdOf(36)}) — RuntimeError: NCCL error on rank 36`,
    );
    expect(lines).toHaveLength(25);
    expect(e.description).toContain(`+12 more — [see all 37 in history](${historyUrl})`);
    expect(e.fields).toEqual([
      { name: "Alerts", value: "37", inline: true },
      { name: "Group", value: "lr-search", inline: true },
    ]);
    expect(e.timestamp).toBe("2026-03-02T12:01:00.000Z");
    expectDiscordLimits(p);
  });

  it("keeps the 6,000-character embed limit for 1,000 hostile members and counts all of them", () => {
    const p = formatDiscordGroup(groupOf(1000, { label: hostileName(200) }, hostile));
    expectDiscordLimits(p);
    const more = Number(/\+(\d+) more/.exec(p.embeds[0].description ?? "")?.[1]);
    expect(listedDiscord(p).length + more).toBe(1000);
    const body = JSON.stringify(p);
    expect(body).not.toMatch(/@(everyone|here)/);
    expect(body).not.toContain("[click](http://evil.example)");
  });
});

// --- Email -----------------------------------------------------------------

describe("email group message", () => {
  it("uses the headline as subject, lists members newest first and links +K more to the history", () => {
    const mail = formatEmailGroup(groupOf(37));
    expect(mail.subject).toBe("❌ 37 training jobs failed — sweep lr-search");
    expect(mail.html).toContain("❌ 37 training jobs failed — sweep lr-search</h1>");
    expect(mail.html.indexOf("mistral-7b-lr-36")).toBeLessThan(
      mail.html.indexOf("mistral-7b-lr-35"),
    );
    expect(mail.html).toContain(`href="${APP_URL}/training/monitor?jobId=${jobIdOf(0)}"`);
    expect(mail.html).toContain("RuntimeError: NCCL error on rank 0");
    expect(mail.text).toContain(`- mistral-7b-lr-36 — RuntimeError: NCCL error on rank 36`);
    expect(mail.text).not.toContain("more:");
    expect(mail.html).toContain('role="presentation"');
  });

  it("stays under Gmail's clipping size for 1,000 hostile members and counts all of them", () => {
    const mail = formatEmailGroup(groupOf(1000, {}, hostile));
    expect(Buffer.byteLength(mail.html)).toBeLessThanOrEqual(EMAIL_GROUP.htmlBytes);
    expect(Buffer.byteLength(mail.html) + Buffer.byteLength(mail.text)).toBeLessThan(102_000);
    const rows = (mail.html.match(/jobId=/g) ?? []).length;
    const more = Number(/\+(\d+) more —/.exec(mail.html)?.[1]);
    expect(rows + more).toBe(1000);
    const textMore = Number(/\+(\d+) more:/.exec(mail.text)?.[1]);
    expect((mail.text.match(/^- /gm) ?? []).length + textMore).toBe(1000);
    expect(mail.html).not.toContain("<!channel>");
    expect(mail.html).not.toMatch(/<script|<img/);
  });

  it("escapes user text in the HTML", () => {
    const mail = formatEmailGroup(
      groupOf(2, { label: "<b>x</b>" }, () => ({ model_name: '<script>alert(1)</script>"' })),
    );
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).not.toContain("<b>x</b>");
    expect(mail.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;");
  });
});

// --- Generic ---------------------------------------------------------------

describe("generic group message", () => {
  it('is type "alert.group" with the newest members in data.alerts and nothing omitted', () => {
    const body = formatGenericGroup(groupOf(37));
    expect(body.type).toBe("alert.group");
    expect(body.timestamp).toBe("2026-03-02T12:01:00.000Z");
    expect(body.data).toMatchObject({
      group_id: BATCH_ID,
      alert_type: "job_failed",
      group: "lr-search",
      count: 37,
      omitted: 0,
      history_url: historyUrl,
      window_start: "2026-03-02T12:00:00.000Z",
    });
    expect(body.data.alerts).toHaveLength(37);
    expect(body.data.alerts[0]).toMatchObject({
      alert_id: member(36).id,
      job_id: jobIdOf(36),
      title: "❌ Training failed: run-36",
      data: { model_name: "mistral-7b-lr-36" },
    });
  });

  it("lists at most 100 members and counts the rest in data.omitted", () => {
    const body = formatGenericGroup(groupOf(1000));
    expect(body.data.alerts).toHaveLength(100);
    expect(body.data.omitted).toBe(900);
    expect(body.data.alerts.length + body.data.omitted).toBe(body.data.count);
    expect(new Set(body.data.alerts.map((a) => a.alert_id)).size).toBe(100);
  });

  it("bounds the body for 1,000 members with 50 KB tracebacks each", () => {
    const json = groupBody("generic", groupOf(1000, {}, hostile));
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(GENERIC_GROUP.bytes);
    const body = JSON.parse(json) as ReturnType<typeof formatGenericGroup>;
    expect(body.data.alerts.length + body.data.omitted).toBe(1000);
    for (const a of body.data.alerts) {
      expect(String(a.data.error).length).toBeLessThanOrEqual(GENERIC_GROUP.value);
    }
  });
});

describe("the channels' group messages", () => {
  it("use each webhook type's layout, and every first-round channel has a grouped layout", () => {
    const card = groupOf(2);
    expect(JSON.parse(groupBody("slack", card)).blocks).toBeDefined();
    expect(JSON.parse(groupBody("discord", card)).embeds).toHaveLength(1);
    expect(JSON.parse(groupBody("generic", card)).type).toBe("alert.group");
    for (const kind of ["email", "slack", "discord", "generic"]) {
      expect(channelFor(kind)?.formatGroup, kind).toBeDefined();
    }
  });
});

/** The body a webhook channel sends for a group message. */
function groupBody(kind: "slack" | "discord" | "generic", card: GroupCard): string {
  const destination = { kind, webhookId: "w", address: "https://example.test/hook", secret: null };
  const format = CHANNELS[kind].formatGroup;
  if (!format) throw new Error(`${kind} has no group layout`);
  return format(card, destination).body;
}
