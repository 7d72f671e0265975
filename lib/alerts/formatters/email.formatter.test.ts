import { describe, expect, it } from "vitest";
import {
  ALL_TYPES,
  APP_URL,
  cardOf,
  FINAL_EXCEPTION,
  hostileData,
  hugeTraceback,
  JOB_ID,
} from "@/tests/helpers/alert-cards";
import { emailHeaders, formatEmail } from "./email.formatter";

describe("email formatter", () => {
  it.each(ALL_TYPES)("renders %s with a subject, an HTML part and a plain-text part", (type) => {
    const mail = formatEmail(cardOf(type));
    expect(mail.subject.length).toBeGreaterThan(0);
    expect(mail.html).toContain('<meta name="color-scheme" content="light dark">');
    expect(mail.html).toContain("prefers-color-scheme: dark");
    expect(mail.html).toContain(`href="${APP_URL}/settings/alerts"`);
    expect(mail.text).toContain(`${APP_URL}/settings/alerts`);
    // Layout tables, not CSS layout that Outlook cannot render.
    expect(mail.html).toContain('role="presentation"');
    expect(mail.html).not.toMatch(/display:\s*(flex|grid)/);
  });

  it("leads with the headline and links to the job", () => {
    const mail = formatEmail(cardOf("job_completed"));
    expect(mail.subject).toBe("✅ Training complete: mistral-7b-custom");
    expect(mail.html).toContain("✅ Training Complete</h1>");
    expect(mail.html).toContain(`href="${APP_URL}/training/monitor?jobId=${JOB_ID}"`);
    expect(mail.text.split("\n")[0]).toBe("✅ Training Complete");
    expect(mail.text).toMatch(/^Final Loss: +0\.342$/m);
    expect(mail.text).toContain(`View Details: ${APP_URL}/training/monitor?jobId=${JOB_ID}`);
  });

  it("escapes user text in the HTML", () => {
    const mail = formatEmail(
      cardOf("job_failed", {
        model_name: '<script>alert(1)</script>"><img src=x onerror=alert(1)>',
        error: "ValueError: <b>bold</b> & more",
      }),
    );
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).not.toContain("<img");
    expect(mail.html).not.toContain("<b>bold</b>");
    expect(mail.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img");
    expect(mail.html).toContain("ValueError: &lt;b&gt;bold&lt;/b&gt; &amp; more");
  });

  it("shows the final exception line of a 50 KB traceback in both parts, within a screenful", () => {
    const mail = formatEmail(cardOf("job_failed", { model_name: "m", error: hugeTraceback() }));
    expect(mail.html).toContain(FINAL_EXCEPTION);
    expect(mail.text).toContain(FINAL_EXCEPTION);
    expect(mail.text.length).toBeLessThan(6000);
  });

  it("keeps subjects to one line of at most 200 characters with hostile data", () => {
    for (const type of ALL_TYPES) {
      const mail = formatEmail(cardOf(type, hostileData()));
      expect(mail.subject.length).toBeLessThanOrEqual(200);
      expect(mail.subject).not.toMatch(/[\r\n]/);
      expect(mail.html).not.toContain("extra_");
      expect(mail.html.length).toBeLessThan(40_000);
    }
  });

  it("gives the List-Unsubscribe header for the settings page, without one-click POST", () => {
    const headers = emailHeaders(APP_URL);
    expect(headers["List-Unsubscribe"]).toBe(`<${APP_URL}/settings/alerts>`);
    expect(Object.keys(headers)).not.toContain("List-Unsubscribe-Post");
  });
});
