import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FINAL_EXCEPTION, hugeTraceback, isWellFormed } from "@/tests/helpers/alert-cards";
import { SAMPLE_OOM_LOG, SAMPLE_TRACEBACK } from "./samples";
import { asLine, cleanText, errorHeadline, errorTail } from "./text";

describe("errorTail", () => {
  it("returns a short error as it is", () => {
    const error = 'Traceback (most recent call last):\n  File "t.py", line 1\nValueError: bad';
    expect(errorTail(error)).toBe(error);
  });

  it("keeps the exception line and the innermost frames of a 50 KB traceback", () => {
    const tail = errorTail(hugeTraceback(), { maxChars: 1500, maxLines: 12 }) ?? "";
    const lines = tail.split("\n");
    expect(tail.length).toBeLessThanOrEqual(1500);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines.at(-1)).toBe(FINAL_EXCEPTION);
    expect(lines.at(-3)).toBe('  File "/workspace/lib/innermost.py", line 7, in forward');
    // Starts at a frame boundary, after a marker for what was left out.
    expect(lines[0]).toBe("Traceback (most recent call last):");
    expect(lines[1]).toBe("…");
    expect(lines[2]).toMatch(/^ {2}File "/);
  });

  it("keeps the exception line when log noise follows it, and the very last line", () => {
    const noise = Array.from({ length: 300 }, (_, i) => `wandb: uploading artifact ${i}`);
    const error = [hugeTraceback(5000), ...noise, "ERROR: process exited with code 1"].join("\n");
    const tail = errorTail(error, { maxChars: 1000, maxLines: 20 }) ?? "";
    expect(tail).toContain(FINAL_EXCEPTION);
    expect(tail.endsWith("ERROR: process exited with code 1")).toBe(true);
    expect(tail.length).toBeLessThanOrEqual(1000);
    expect(tail.split("\n").length).toBeLessThanOrEqual(20);
  });

  it("keeps the rest of a multi-line exception message", () => {
    const error = [
      hugeTraceback(3000, "RuntimeError: CUDA error: an illegal memory access was encountered"),
      "CUDA kernel errors might be asynchronously reported at some other API call.",
      "For debugging consider passing CUDA_LAUNCH_BLOCKING=1",
    ].join("\n");
    const tail = errorTail(error, { maxChars: 800, maxLines: 12 }) ?? "";
    expect(tail).toContain("RuntimeError: CUDA error: an illegal memory access was encountered");
    expect(tail).toContain("For debugging consider passing CUDA_LAUNCH_BLOCKING=1");
  });

  it("cuts one 50 KB line to the limit, keeping its start", () => {
    const error = `ValueError: ${"tensor([0.1, 0.2]) ".repeat(2700)}`;
    const tail = errorTail(error, { maxChars: 500 }) ?? "";
    expect(tail.length).toBeLessThanOrEqual(500);
    expect(tail.startsWith("ValueError: tensor(")).toBe(true);
  });

  it("anchors on a CUDA or torchrun failure line when there is no Python exception", () => {
    const log = [
      ...Array.from({ length: 100 }, (_, i) => `step ${i} loss 0.5`),
      SAMPLE_OOM_LOG,
    ].join("\n");
    expect(errorTail(log, { maxChars: 400, maxLines: 6 })).toContain(
      "[rank0]: torch.OutOfMemoryError: CUDA out of memory.",
    );
  });

  it("removes colour codes and keeps the last state of a redrawn progress bar", () => {
    const tail = errorTail(
      "\u001b[31mboom\u001b[0m\n 10%|█ \r 50%|█████ \r100%|██████████\nKeyError: 'x'",
    );
    expect(tail).toBe("boom\n100%|██████████\nKeyError: 'x'");
  });

  it("stays within its limits and well-formed for any input", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 5000 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 60 }),
        (text, maxChars, maxLines) => {
          const tail = errorTail(text, { maxChars, maxLines });
          if (tail === undefined) return;
          expect(tail.length).toBeLessThanOrEqual(maxChars);
          expect(tail.split("\n").length).toBeLessThanOrEqual(Math.max(maxLines, 4));
          expect(isWellFormed(tail)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("errorHeadline", () => {
  it("gives the exception's first sentence", () => {
    expect(errorHeadline(SAMPLE_TRACEBACK)).toBe("torch.OutOfMemoryError: CUDA out of memory.");
  });

  it("drops torchrun's rank prefix", () => {
    expect(errorHeadline(SAMPLE_OOM_LOG)).toBe("torch.OutOfMemoryError: CUDA out of memory.");
  });

  it("keeps a short exception line whole", () => {
    expect(errorHeadline("x\nKeyError: 'labels'")).toBe("KeyError: 'labels'");
  });
});

describe("user text", () => {
  it("loses control and bidi-override characters but keeps right-to-left letters", () => {
    expect(cleanText("a\u0000b\u202ec\u2066d نموذج\u0007")).toBe("abcd نموذج");
  });

  it("replaces broken surrogate pairs", () => {
    expect(cleanText("ok\ud800")).toBe("ok\uFFFD");
  });

  it("puts names on one line", () => {
    expect(asLine("  llama\n\t3  ")).toBe("llama 3");
    expect(asLine(" \n ")).toBeUndefined();
  });
});
