import { describe, expect, it } from "vitest";
import { hostileData, hugeTraceback } from "@/tests/helpers/alert-cards";
import { alertText } from "./alert-text";
import { renderTemplate, TEMPLATE_TYPES } from "./index";
import { SAMPLE_DATA } from "./samples";

describe("alert templates", () => {
  it.each(TEMPLATE_TYPES)("give %s a headline, a level, a one-line summary and a link", (type) => {
    const view = renderTemplate(type, SAMPLE_DATA[type], "job-1");
    expect(view.headline).toMatch(/^\S+ [A-Z]/);
    expect(["failure", "success", "warning", "info"]).toContain(view.level);
    expect(view.summary).not.toContain("\n");
    expect(view.summary.length).toBeGreaterThan(10);
    expect(view.link.path.startsWith("/")).toBe(true);
    for (const f of view.facts) expect(f.value.trim()).not.toBe("");
  });

  it.each(TEMPLATE_TYPES)("render %s from empty data without inventing facts", (type) => {
    const view = renderTemplate(type, {}, null);
    expect(view.summary.length).toBeGreaterThan(0);
    expect(view.facts.every((f) => f.value !== "undefined" && f.value !== "NaN")).toBe(true);
  });

  it("keep user text out of headlines, which chat platforms show unescaped", () => {
    for (const type of TEMPLATE_TYPES) {
      expect(renderTemplate(type, hostileData(), "j").headline).toBe(
        renderTemplate(type, {}, "j").headline,
      );
    }
  });

  it("give job facts in the seed's order", () => {
    const labels = (type: "job_completed" | "job_failed") =>
      renderTemplate(type, SAMPLE_DATA[type], "j").facts.map((f) => f.label);
    expect(labels("job_completed")).toEqual(["Model", "Duration", "Final Loss", "Steps"]);
    expect(labels("job_failed").slice(0, 3)).toEqual(["Model", "Error", "Duration"]);
  });

  it("link to the job's monitor page", () => {
    expect(renderTemplate("job_completed", {}, "a b").link).toEqual({
      label: "View Details",
      path: "/training/monitor?jobId=a%20b",
    });
  });
});

describe("alertText (alert_history title and message)", () => {
  it("names the model in a failed job's title and keeps the exception line in its message", () => {
    const text = alertText("job_failed", { model_name: "llama-3-8b", error: hugeTraceback() });
    expect(text.title).toBe("❌ Training failed: llama-3-8b");
    expect(text.message).toContain("torch.OutOfMemoryError: CUDA out of memory.");
    expect(text.message.length).toBeLessThan(1700);
  });

  it("summarises a completed job in one line", () => {
    expect(alertText("job_completed", SAMPLE_DATA.job_completed)).toEqual({
      title: "✅ Training complete: mistral-7b-custom",
      message:
        "mistral-7b-custom finished training in 2h 34m with final loss 0.342 (5000/5000 steps).",
    });
  });

  it("says how many alerts the rate limit held back", () => {
    expect(alertText("rate_limit_notice", { suppressed_count: 1, limit_per_hour: 60 }).title).toBe(
      "🔕 1 alert was not sent",
    );
  });
});
