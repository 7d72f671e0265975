/**
 * Renders every alert email to PNG (light, dark and phone width) with
 * headless Chromium, so that a change to the email templates can be looked
 * at before anyone receives it:
 *
 *   npm run preview:emails [-- --out <dir>]
 *
 * Writes `<type>.html`, `<type>.light.png`, `<type>.dark.png` and
 * `<type>.phone.png` to `.data/email-previews/` (git-ignored), plus a
 * `job_failed-hostile` set (300-character model name, 50 KB traceback,
 * right-to-left text). Needs Debian's `chromium` (`apt-get install chromium`).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import type { AlertCard } from "../lib/alerts/formatters/card";
import { formatEmail } from "../lib/alerts/formatters/email.formatter";
import { TEMPLATE_TYPES } from "../lib/alerts/templates/index";
import { SAMPLE_DATA, SAMPLE_TRACEBACK } from "../lib/alerts/templates/samples";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: ".data/email-previews" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
  },
});
const outDir = path.resolve(values.out ?? ".data/email-previews");

const card = (type: string, data: Record<string, unknown>): AlertCard => ({
  id: "8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
  type,
  title: type,
  message: type,
  jobId: "3f2b9c4e-8a1d-4e5f-9b6c-7d8e9f0a1b2c",
  data,
  createdAt: new Date("2026-03-02T12:00:00Z"),
  appUrl: "https://alerts.example.com",
});

const frames = Array.from(
  { length: 700 },
  (_, i) =>
    `  File "/workspace/lib/module_${i}.py", line ${100 + i}, in step_${i}\n    return step_${i + 1}(batch)`,
).join("\n");
const previews: { name: string; card: AlertCard }[] = [
  ...TEMPLATE_TYPES.map((type) => ({ name: type, card: card(type, SAMPLE_DATA[type]) })),
  {
    name: "job_failed-hostile",
    card: card("job_failed", {
      ...SAMPLE_DATA.job_failed,
      model_name: `${"llama-3-70b-instruct-finetune-".repeat(8)}نموذج-عربي 🤖`.slice(0, 300),
      error: `Traceback (most recent call last):\n${frames}\n${SAMPLE_TRACEBACK.split("\n").slice(1).join("\n")}`,
    }),
  },
];

const browser = await chromium.launch({
  executablePath: values.chromium,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  await mkdir(outDir, { recursive: true });
  const views = [
    { suffix: "light", colorScheme: "light", width: 800 },
    { suffix: "dark", colorScheme: "dark", width: 800 },
    { suffix: "phone", colorScheme: "light", width: 375 },
  ] as const;
  for (const view of views) {
    const context = await browser.newContext({
      colorScheme: view.colorScheme,
      viewport: { width: view.width, height: 600 },
      deviceScaleFactor: 1,
      // Emails must not need the network; a preview must not touch it either.
      offline: true,
    });
    const page = await context.newPage();
    for (const preview of previews) {
      const { html } = formatEmail(preview.card);
      if (view.suffix === "light") await writeFile(path.join(outDir, `${preview.name}.html`), html);
      await page.setContent(html, { waitUntil: "load" });
      await page.screenshot({
        path: path.join(outDir, `${preview.name}.${view.suffix}.png`),
        fullPage: true,
      });
    }
    await context.close();
  }
  console.log(`${previews.length * views.length} previews in ${outDir}`);
} finally {
  await browser.close();
}
