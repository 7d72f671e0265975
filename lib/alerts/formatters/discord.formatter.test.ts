import { embedLength as buildersEmbedLength, EmbedBuilder } from "@discordjs/builders";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ALL_TYPES,
  APP_URL,
  cardOf,
  EMOJI,
  FINAL_EXCEPTION,
  hostileData,
  hostileName,
  hugeTraceback,
  INJECTION,
  isWellFormed,
  JOB_ID,
  RTL,
} from "@/tests/helpers/alert-cards";
import { CHANNELS } from "../channels/index";
import {
  DISCORD_COLOURS,
  DISCORD_LIMITS,
  type DiscordPayload,
  embedLength,
  formatDiscord,
} from "./discord.formatter";

const L = DISCORD_LIMITS;

/**
 * The embed rebuilt with @discordjs/builders, whose setters run discord.js's
 * own validators (title ≤ 256, description ≤ 4096, ≤ 25 fields of name ≤ 256
 * and value ≤ 1024, footer ≤ 2048, colour, URL, timestamp); throws on any
 * breach. Its `embedLength` is Discord's 6000-character total.
 */
function expectBuildersAccept(p: DiscordPayload) {
  const e = p.embeds[0];
  const built = new EmbedBuilder()
    .setTitle(e.title)
    .setURL(e.url)
    .setColor(e.color)
    .setDescription(e.description ?? null)
    .addFields(...e.fields)
    .setFooter({ text: e.footer.text })
    .setTimestamp(e.timestamp ? new Date(e.timestamp) : null);
  expect(buildersEmbedLength(built.toJSON())).toBeLessThanOrEqual(L.total);
}

/** Every limit of DESIGN.md §6 and Discord's reference, checked on one payload. */
function expectWithinLimits(p: DiscordPayload) {
  expectBuildersAccept(p);
  expect(p.embeds).toHaveLength(1);
  const e = p.embeds[0];
  expect(e.title.length).toBeGreaterThan(0);
  expect(e.title.length).toBeLessThanOrEqual(L.title);
  expect(e.description?.length ?? 0).toBeLessThanOrEqual(L.description);
  expect(e.fields.length).toBeLessThanOrEqual(L.fields);
  for (const f of e.fields) {
    expect(f.name.length).toBeGreaterThan(0);
    expect(f.name.length).toBeLessThanOrEqual(L.fieldName);
    // Discord rejects empty field values.
    expect(f.value.length).toBeGreaterThan(0);
    expect(f.value.length).toBeLessThanOrEqual(L.fieldValue);
  }
  expect(e.footer.text.length).toBeLessThanOrEqual(L.footer);
  expect(embedLength(e)).toBeLessThanOrEqual(L.total);
  expect(p.allowed_mentions).toEqual({ parse: [] });
  const all = [
    e.title,
    e.description ?? "",
    e.footer.text,
    ...e.fields.flatMap((f) => [f.name, f.value]),
  ];
  for (const t of all) expect(isWellFormed(t)).toBe(true);
}

describe("Discord formatter", () => {
  it("is checked by @discordjs/builders validators that are live (they refuse a 257-character title)", () => {
    expect(() => new EmbedBuilder().setTitle("x".repeat(257))).toThrow();
    const p = formatDiscord(cardOf("job_failed"));
    const tooLong = {
      ...p,
      embeds: [{ ...p.embeds[0], title: "x".repeat(257) }],
    } as DiscordPayload;
    expect(() => expectBuildersAccept(tooLong)).toThrow();
  });

  it.each(ALL_TYPES)(
    "renders %s as one embed with a title, a colour, a link and a footer",
    (type) => {
      const p = formatDiscord(cardOf(type));
      const e = p.embeds[0];
      expect(e.url.startsWith(APP_URL)).toBe(true);
      expect(Object.values(DISCORD_COLOURS)).toContain(e.color);
      expect(e.footer.text).toBe(`Job ID: ${JOB_ID}`);
      expect(e.timestamp).toBe("2026-03-02T12:00:00.000Z");
      expectWithinLimits(p);
    },
  );

  it("shapes job_failed like the seed: title, red 15158332, inline Model/Error/Duration, footer Job ID", () => {
    const p = formatDiscord(
      cardOf("job_failed", {
        model_name: "mistral-7b-custom",
        error: "torch.OutOfMemoryError: CUDA out of memory.",
        duration_seconds: 2700,
      }),
    );
    const e = p.embeds[0];
    expect(e.title).toBe("❌ Training Failed");
    expect(e.color).toBe(15158332);
    expect(e.fields).toEqual([
      { name: "Model", value: "mistral-7b-custom", inline: true },
      { name: "Error", value: "torch.OutOfMemoryError: CUDA out of memory.", inline: true },
      { name: "Duration", value: "45m", inline: true },
    ]);
    expect(e.footer).toEqual({ text: `Job ID: ${JOB_ID}` });
    expect(e.url).toBe(`${APP_URL}/training/monitor?jobId=${JOB_ID}`);
  });

  it("colours by level: red for failures, green for success, amber for warnings", () => {
    const colour = (type: string) => formatDiscord(cardOf(type)).embeds[0].color;
    expect(colour("job_failed")).toBe(15158332);
    expect(colour("gpu_oom")).toBe(15158332);
    expect(colour("job_completed")).toBe(DISCORD_COLOURS.success);
    expect(colour("disk_warning")).toBe(DISCORD_COLOURS.warning);
    expect(colour("timeout_warning")).toBe(DISCORD_COLOURS.warning);
    expect(colour("job_started")).toBe(DISCORD_COLOURS.info);
  });

  it("shows job_completed's seed fields: Model, Duration, Final Loss, Steps", () => {
    const e = formatDiscord(cardOf("job_completed")).embeds[0];
    expect(e.fields.map((f) => [f.name, f.value])).toEqual([
      ["Model", "mistral-7b-custom"],
      ["Duration", "2h 34m"],
      ["Final Loss", "0.342"],
      ["Steps", "5000/5000"],
    ]);
  });

  it("puts the error's tail in the description's code block, exception line and innermost frame included", () => {
    const e = formatDiscord(cardOf("job_failed", { model_name: "m", error: hugeTraceback() }))
      .embeds[0];
    const description = e.description ?? "";
    expect(description).toMatch(/\n```\n[\s\S]*\n```$/);
    expect(description).toContain(FINAL_EXCEPTION);
    expect(description).toContain('File "/workspace/lib/innermost.py", line 7, in forward');
    expect(description).not.toContain("module_0.py");
    expect(description.length).toBeLessThanOrEqual(L.description);
  });

  it("neutralises @everyone, @here, user and role mentions and masked links in user text", () => {
    for (const type of ["job_failed", "job_completed", "webhook_disabled", "disk_warning"]) {
      const p = formatDiscord(
        cardOf(type, {
          model_name: INJECTION,
          error: `${INJECTION}\nValueError: ${INJECTION}`,
          webhook_name: INJECTION,
          reason: INJECTION,
          disk_path: INJECTION,
        }),
      );
      const body = JSON.stringify(p);
      expect(body).not.toMatch(/@(everyone|here)/);
      expect(body).not.toMatch(/<@[!&]?\d/);
      // Outside code blocks (where Discord renders no markdown) links are escaped too.
      const e = p.embeds[0];
      const rendered = [
        e.description?.replace(/```[\s\S]*?```/g, "") ?? "",
        ...e.fields.map((f) => f.value),
      ];
      for (const text of rendered) expect(text).not.toContain("[click](");
      expect(p.allowed_mentions).toEqual({ parse: [] });
    }
    const model = formatDiscord(cardOf("job_completed", { model_name: "@everyone <@&456>" }))
      .embeds[0].fields[0]?.value;
    expect(model).toBe("@\u200beveryone \\<@\u200b&456\\>");
  });

  it("defuses backticks in an error so that it cannot close its code block", () => {
    const e = formatDiscord(
      cardOf("job_failed", { error: "```\n@everyone\n```\nRuntimeError: ``` x" }),
    ).embeds[0];
    expect(e.description?.match(/```/g)).toHaveLength(2);
  });

  it("keeps every limit for every type with hostile inputs (300-char names, 50 KB tracebacks, emoji, RTL, 100 extra fields)", () => {
    for (const type of ALL_TYPES) {
      const p = formatDiscord(cardOf(type, hostileData()));
      expectWithinLimits(p);
      expect(JSON.stringify(p)).not.toContain("extra_");
    }
  });

  it("cuts the biggest parts first when the embed would pass 6000 characters, keeping short facts whole", () => {
    const p = formatDiscord(
      cardOf(
        "job_failed",
        {
          model_name: "m".repeat(5000),
          error: hugeTraceback(),
          duration_seconds: 2700,
          current_step: 12,
          total_steps: 100,
        },
        { jobId: "j".repeat(3000) },
      ),
    );
    expectWithinLimits(p);
    const e = p.embeds[0];
    expect(embedLength(e)).toBeGreaterThan(L.total - 50);
    expect(e.fields.find((f) => f.name === "Duration")?.value).toBe("45m");
    expect(e.fields.find((f) => f.name === "Steps")?.value).toBe("12/100");
    expect(e.fields.find((f) => f.name === "Error")?.value).toBe(
      "torch.OutOfMemoryError: CUDA out of memory.",
    );
    expect(e.footer.text.endsWith("…")).toBe(true);
    expect(e.description).toContain(FINAL_EXCEPTION);
    expect(e.description?.endsWith("```")).toBe(true);
  });

  it("cuts a field that is too long with an ellipsis between whole emoji", () => {
    const value =
      formatDiscord(cardOf("job_completed", { model_name: EMOJI.repeat(200) })).embeds[0].fields[0]
        ?.value ?? "";
    expect(value.length).toBeLessThanOrEqual(L.fieldValue);
    expect(value.endsWith("…")).toBe(true);
    expect(isWellFormed(value)).toBe(true);
  });

  it("keeps right-to-left text and drops the override characters that would disguise it", () => {
    const value = formatDiscord(cardOf("job_completed", { model_name: RTL })).embeds[0].fields[0]
      ?.value;
    expect(value).toContain("نموذج-عربي מודל");
    expect(value).not.toContain("\u202e");
  });

  it("leaves out blank facts and never sends an empty field", () => {
    const p = formatDiscord(cardOf("job_completed", { model_name: "   " }));
    expect(p.embeds[0].fields.map((f) => f.name)).not.toContain("Model");
    expectWithinLimits(p);
    expectWithinLimits(formatDiscord(cardOf("test", hostileData(), { jobId: hostileName(300) })));
  });

  it("is what a discord webhook sends", () => {
    const card = cardOf("job_failed");
    expect(
      JSON.parse(
        CHANNELS.discord.format(card, {
          kind: "discord",
          webhookId: "w",
          address: "https://example.test/hook",
          secret: null,
        }).body,
      ),
    ).toEqual(formatDiscord(card));
  });

  it("keeps every limit for arbitrary text in every user field", () => {
    const anyText = fc.oneof(
      fc.string({ unit: "binary", maxLength: 8000 }),
      fc.string({ unit: "grapheme", maxLength: 3000 }),
      fc.string({
        unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
        maxLength: 3000,
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_TYPES),
        anyText,
        anyText,
        anyText,
        (type, name, error, id) => {
          expectWithinLimits(
            formatDiscord(
              cardOf(
                type,
                {
                  model_name: name,
                  error,
                  log_excerpt: error,
                  disk_path: name,
                  webhook_name: name,
                  reason: error,
                },
                { jobId: id },
              ),
            ),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
