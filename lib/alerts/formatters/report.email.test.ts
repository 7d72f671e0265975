import { describe, expect, it } from "vitest";
import { cardOf, hostileName } from "@/tests/helpers/alert-cards";
import { SAMPLE_DAILY, SAMPLE_WEEKLY } from "../templates/samples";
import { formatEmail } from "./email.formatter";
import { reportEmail } from "./report.email";

/** Heights of the solid blocks (chart bars and trend bars) in order, with their colours. */
const blocks = (html: string) =>
  [...html.matchAll(/height="(\d+)" bgcolor="(#[0-9a-f]{6})"/g)].map((m) => [Number(m[1]), m[2]]);

describe("report emails", () => {
  it("draw the weekly chart as stacked table cells whose heights follow the counts", () => {
    const section = reportEmail(cardOf("weekly_digest", SAMPLE_WEEKLY))?.html ?? "";
    const chart = section.slice(section.indexOf("Jobs per day"), section.indexOf("Loss by model"));
    // Thursday has the most jobs (4 completed, 1 failed, 1 cancelled): 96 px in all,
    // drawn cancelled on top, completed at the bottom.
    expect(blocks(chart).slice(5, 8)).toEqual([
      [16, "#d97706"],
      [16, "#dc2626"],
      [64, "#16a34a"],
    ]);
    // Saturday had none: a grey baseline instead of a bar.
    expect(chart).toContain('height="2" bgcolor="#e5e7eb"');
    expect(chart).toMatch(/Sat<br>28/);
  });

  it("draw each model's final losses as a small bar trend, the highest loss tallest", () => {
    const html = reportEmail(cardOf("daily_summary", SAMPLE_DAILY))?.html ?? "";
    const trend = html.slice(html.indexOf("mistral-7b-custom"), html.indexOf("llama-3-8b-dpo"));
    expect(blocks(trend)).toEqual([
      [28, "#60a5fa"],
      [12, "#60a5fa"],
      [4, "#2563eb"],
    ]);
  });

  it("use no SVG, no images and no external resources, which Gmail and Outlook would not show", () => {
    for (const card of [
      cardOf("daily_summary", SAMPLE_DAILY),
      cardOf("weekly_digest", SAMPLE_WEEKLY),
    ]) {
      const { html } = formatEmail(card);
      expect(html).not.toMatch(/<svg|<img|url\(|<link|<script|display:\s*(flex|grid)/i);
      expect(html).toContain('role="presentation"');
    }
  });

  it("draw the same sections in the plain-text part", () => {
    const { text } = formatEmail(cardOf("weekly_digest", SAMPLE_WEEKLY));
    expect(text).toMatch(/^ {2}Thu 26 {2}█{20} {2}4 \/ 1 \/ 1$/m);
    expect(text).toMatch(/^ {2}mistral-7b-custom +0\.342 {2}3 runs {2}█▃▁$/m);
    expect(text).toContain("Mon 2 Mar 23:41 mistral-7b-custom: torch.OutOfMemoryError");
    expect(text).toMatch(/^Completed: +14 \(\+3\)$/m);
    expect(text).toContain("/mnt/checkpoints 93% full");
  });

  it("escape names and errors and stay well under Gmail's 102 KB clipping with full lists", () => {
    const name = hostileName(300);
    const data = {
      ...SAMPLE_WEEKLY,
      models: Array.from({ length: 8 }, (_, i) => ({
        model: `${name}${i}`,
        runs: 12,
        best_loss: 0.1,
        losses: Array.from({ length: 12 }, (_, j) => 1 / (j + 1)),
      })),
      models_total: 30,
      failures: Array.from({ length: 10 }, () => ({
        job_id: "j",
        model: '<img src=x onerror="alert(1)">',
        error: "ValueError: <script>alert(1)</script>",
        finished_local: "2026-03-01 10:00",
      })),
      disks: [{ path: `/${name}`, percent: 99 }],
    };
    const { html, subject } = formatEmail(cardOf("weekly_digest", data));
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("and 22 more models");
    expect(html.length).toBeLessThan(80_000);
    expect(subject).not.toMatch(/[\r\n]/);
  });

  it("fall back to the plain layout for a report row without report data", () => {
    const mail = formatEmail(cardOf("daily_summary", {}));
    expect(mail.html).toContain("Your training summary for the day.");
    expect(mail.html).not.toContain("Loss by model");
  });
});
