import type { AlertCard } from "@/lib/alerts/formatters/card";
import { TEMPLATE_TYPES, type TemplateType } from "@/lib/alerts/templates/index";
import { SAMPLE_DATA } from "@/lib/alerts/templates/samples";

/** Cards and hostile inputs for formatter and channel tests. */

export const APP_URL = "https://app.example.com";
export const JOB_ID = "3f2b9c4e-8a1d-4e5f-9b6c-7d8e9f0a1b2c";
export const CREATED_AT = new Date("2026-03-02T12:00:00Z");

export const ALL_TYPES: readonly TemplateType[] = TEMPLATE_TYPES;

export function cardOf(
  type: string,
  data: Record<string, unknown> = SAMPLE_DATA[type as TemplateType] ?? {},
  overrides: Partial<AlertCard> = {},
): AlertCard {
  return {
    id: "8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
    type,
    title: `stored title of ${type}`,
    message: `stored message of ${type}`,
    jobId: JOB_ID,
    data,
    createdAt: CREATED_AT,
    appUrl: APP_URL,
    ...overrides,
  };
}

/** Every mention and link syntax Slack and Discord know. */
export const INJECTION =
  "<!channel> <!here> <!everyone> <@U123> <#C123> <http://evil.example|click> @everyone @here <@123> <@!123> <@&456> [click](http://evil.example) ``` *bold* _it_ ~s~ ||spoiler|| # heading";

export const EMOJI = "🤖🔥👩‍👩‍👧‍👦🇺🇦";
/** Arabic and Hebrew, and a right-to-left override that would disguise what follows. */
export const RTL = "نموذج-عربي מודל \u202egnp.exe";

/** A name of `length` characters mixing everything above. */
export function hostileName(length = 300): string {
  const unit = `${INJECTION} ${EMOJI} ${RTL} `;
  let out = "";
  while (out.length < length) out += unit;
  return out.slice(0, length);
}

/**
 * A ~50 KB Python traceback: hundreds of frames, a chained exception, and
 * the informative exception line at the end.
 */
export function hugeTraceback(bytes = 50_000, last = FINAL_EXCEPTION): string {
  const lines = ["Traceback (most recent call last):"];
  let size = lines[0]?.length ?? 0;
  for (let i = 0; size < bytes - 500; i++) {
    const frame = `  File "/workspace/lib/module_${i}.py", line ${100 + i}, in step_${i}`;
    const code = `    return step_${i + 1}(batch)  # ${"x".repeat(40)}`;
    lines.push(frame, code);
    size += frame.length + code.length + 2;
  }
  lines.push(`  File "/workspace/lib/innermost.py", line 7, in forward`);
  lines.push("    out = self.attn(x)");
  lines.push(last);
  return lines.join("\n");
}

export const FINAL_EXCEPTION =
  "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.19 GiB is free.";

/** Every known data field at its most hostile, plus 100 fields nobody expects. */
export function hostileData(): Record<string, unknown> {
  const data: Record<string, unknown> = {
    model_name: hostileName(300),
    duration_seconds: 1e12,
    final_loss: -1.234e-300,
    current_step: Number.MAX_SAFE_INTEGER,
    total_steps: Number.MAX_SAFE_INTEGER,
    gpu_count: 4096,
    error: `${INJECTION}\n${hugeTraceback()}\n${INJECTION}`,
    log_excerpt: hugeTraceback(),
    disk_path: `/${hostileName(1024)}`,
    disk_used_percent: 99.99,
    minutes_without_progress: 1e9,
    suppressed_count: 1e9,
    limit_per_hour: 60,
    webhook_name: hostileName(300),
    reason: hostileName(5000),
    summary: hostileName(5000),
  };
  for (let i = 0; i < 100; i++) data[`extra_${i}`] = `${INJECTION} ${"y".repeat(2000)}`;
  return data;
}

/** True when the text has no unpaired surrogate (which platforms reject as invalid UTF-8). */
export const isWellFormed = (s: string) =>
  !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
