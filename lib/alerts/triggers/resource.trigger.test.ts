import { describe, expect, it } from "vitest";
import { OOM_LOG_BLOCKS, OOM_NEGATIVES, OOM_POSITIVES } from "./oom-corpus";
import {
  detectOom,
  OOM_EXCERPT_MAX_CHARS,
  OOM_LINE_MAX_CHARS,
  OOM_SIGNATURE_NAMES,
} from "./resource.trigger";

const ESC = "\u001b";
const label = (line: string) => (line.length > 90 ? `${line.slice(0, 87)}...` : line);

const CUDA_OOM =
  "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 22.78 GiB. GPU 0 has a total capacity of 31.47 GiB of which 12.73 GiB is free.";

describe("the OOM corpus", () => {
  it("has at least 40 real positives and 40 negatives, each with its source", () => {
    expect(OOM_POSITIVES.length).toBeGreaterThanOrEqual(40);
    expect(OOM_NEGATIVES.length).toBeGreaterThanOrEqual(40);
    for (const entry of [...OOM_POSITIVES, ...OOM_NEGATIVES, ...OOM_LOG_BLOCKS]) {
      expect(entry.source.trim()).not.toBe("");
    }
    for (const negative of OOM_NEGATIVES) expect(negative.why.trim()).not.toBe("");
  });

  it("has a real example for every signature family the detector can report", () => {
    const covered = new Set(OOM_POSITIVES.map((p) => p.framework));
    for (const name of OOM_SIGNATURE_NAMES) expect(covered, name).toContain(name);
  });

  it("contains no line twice, so no line is both a positive and a negative", () => {
    const lines = [...OOM_POSITIVES, ...OOM_NEGATIVES].map((entry) => entry.line);
    expect(new Set(lines).size).toBe(lines.length);
  });
});

describe("detectOom on single lines", () => {
  it.each(OOM_POSITIVES.map((p) => [p.framework, label(p.line), p] as const))(
    "reports a %s out-of-memory line: %s",
    (framework, _label, positive) => {
      const match = detectOom([positive.line]);
      expect(match).toBeDefined();
      expect(match?.signature).toBe(framework);
      expect(match?.lineIndex).toBe(0);
      expect(match?.line).toBe(positive.line.trim());
      expect(match?.excerpt).toBe(positive.line.trim());
    },
  );

  it.each(OOM_NEGATIVES.map((n) => [label(n.line), n] as const))(
    "does not report a line that only mentions memory: %s",
    (_label, negative) => {
      expect(detectOom([negative.line])).toBeUndefined();
    },
  );

  it("does not report any of the negatives when they arrive as one log", () => {
    expect(detectOom(OOM_NEGATIVES.map((n) => n.line))).toBeUndefined();
  });

  it("returns undefined for no lines and for blank lines", () => {
    expect(detectOom([])).toBeUndefined();
    expect(detectOom(["", "   ", "\r", "\t"])).toBeUndefined();
  });
});

describe("detectOom on multi-line logs", () => {
  it.each(OOM_LOG_BLOCKS.map((b) => [b.name, b] as const))(
    "finds the first OOM in %s",
    (_name, block) => {
      const match = detectOom(block.lines);
      if (block.expected === undefined) {
        expect(match).toBeUndefined();
        return;
      }
      expect(match?.signature).toBe(block.expected.framework);
      expect(match?.lineIndex).toBe(block.expected.lineIndex);
      expect(match?.line).toBe(block.lines[block.expected.lineIndex]?.trim());
    },
  );

  it("reports the first OOM when several follow each other", () => {
    const lines = [
      "epoch 3 step 100 loss=0.137",
      "ng30903:3063028:3066152 [3] include/alloc.h:178 NCCL WARN Cuda failure 'out of memory'",
      CUDA_OOM,
      "Killed",
    ];
    const match = detectOom(lines);
    expect(match?.signature).toBe("nccl");
    expect(match?.lineIndex).toBe(1);
  });

  it("finds a positive after every negative at its own index", () => {
    const negatives = OOM_NEGATIVES.map((n) => n.line);
    for (const positive of OOM_POSITIVES.slice(0, 10)) {
      const match = detectOom([...negatives, positive.line, ...negatives]);
      expect(match?.lineIndex).toBe(negatives.length);
      expect(match?.signature).toBe(positive.framework);
    }
  });
});

describe("the excerpt", () => {
  const block = OOM_LOG_BLOCKS[0];
  if (!block?.expected) throw new Error("the first corpus block must contain an OOM");
  const at = block.expected.lineIndex;

  it("contains the matching line with the lines before and after it", () => {
    const match = detectOom(block.lines);
    const excerpt = match?.excerpt.split("\n") ?? [];
    expect(excerpt).toContain(match?.line);
    // Five lines of traceback before, three after, indentation kept.
    expect(excerpt).toEqual([...block.lines.slice(at - 5, at), ...block.lines.slice(at, at + 4)]);
  });

  it("takes only the lines that exist at the start and end of the input", () => {
    expect(detectOom(["Killed"])?.excerpt).toBe("Killed");
    expect(detectOom(["before", "Killed"])?.excerpt).toBe("before\nKilled");
    expect(detectOom(["Killed", "after"])?.excerpt).toBe("Killed\nafter");
  });

  it("stays within its limit when the neighbouring lines are huge", () => {
    const huge = "x".repeat(50_000);
    const lines = [...Array(10).fill(huge), CUDA_OOM, ...Array(10).fill(huge)];
    const match = detectOom(lines);
    expect(match?.lineIndex).toBe(10);
    expect(match?.excerpt.length).toBeLessThanOrEqual(OOM_EXCERPT_MAX_CHARS);
    const excerpt = match?.excerpt.split("\n") ?? [];
    expect(excerpt).toContain(CUDA_OOM);
    expect(excerpt.length).toBeGreaterThan(1);
    for (const context of excerpt.filter((l) => l !== CUDA_OOM)) {
      expect(context.length).toBeLessThanOrEqual(240);
    }
  });

  it("stays within its limit when the matching line itself is huge", () => {
    const line = `${"y".repeat(20_000)} ${CUDA_OOM} ${"z".repeat(20_000)}`;
    const lines = Array(20).fill(`  File "train.py", line 42, in step ${"w".repeat(300)}`);
    lines.splice(10, 0, line);
    const match = detectOom(lines);
    expect(match?.line.length).toBeLessThanOrEqual(OOM_LINE_MAX_CHARS);
    expect(match?.excerpt.length).toBeLessThanOrEqual(OOM_EXCERPT_MAX_CHARS);
    expect(match?.excerpt).toContain(match?.line);
  });

  it("shows a context progress bar as the terminal did: its last redraw, without colours", () => {
    const bar = `${ESC}[32m 10%|█         | 1/10${ESC}[0m\r${ESC}[32m 20%|██        | 2/10${ESC}[0m\r`;
    const match = detectOom([bar, CUDA_OOM]);
    expect(match?.excerpt).toBe(` 20%|██        | 2/10\n${CUDA_OOM}`);
  });
});

describe("the reported line", () => {
  it("keeps the text around the OOM when a 1 MB line must be cut to 1000 characters", () => {
    const line = `${"x".repeat(1_000_000)} ${CUDA_OOM} ${"x".repeat(1_000)}`;
    const match = detectOom([line]);
    expect(match?.signature).toBe("pytorch-cuda");
    expect(match?.line.length).toBeLessThanOrEqual(OOM_LINE_MAX_CHARS);
    expect(match?.line).toContain("CUDA out of memory. Tried to allocate 22.78 GiB");
    expect(match?.line.startsWith("…")).toBe(true);
    expect(match?.line.endsWith("…")).toBe(true);
  });

  it("is trimmed", () => {
    expect(detectOom([`   ${CUDA_OOM}   `])?.line).toBe(CUDA_OOM);
  });
});

describe("terminal control sequences", () => {
  it("are stripped before matching, even inside the words that name the OOM", () => {
    const coloured = `${ESC}[1;31mtorch.OutOfMemoryError${ESC}[0m: CUDA out of ${ESC}[4mmemory${ESC}[24m. Tried to allocate 2.00 GiB`;
    const match = detectOom([coloured]);
    expect(match?.signature).toBe("pytorch-cuda");
    expect(match?.line).toBe(
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
    );
  });

  it("strip window titles, hyperlinks and other escapes as well as colours", () => {
    const line = `${ESC}]0;train.py${ESC}\\${ESC}]8;;https://example.com\u0007Killed${ESC}]8;;\u0007${ESC}(B`;
    const match = detectOom([line]);
    expect(match?.signature).toBe("exit-137");
    expect(match?.line).toBe("Killed");
  });

  it("split a progress bar's redraws so an OOM printed after the bar is found on its own", () => {
    const line = [
      "Epoch 1:  45%|████▌     | 450/1000 [00:30<00:37, 14.8it/s, loss=0.137]",
      "Epoch 1:  46%|████▌     | 460/1000 [00:31<00:37, 14.8it/s, loss=0.136]",
      CUDA_OOM,
    ].join("\r");
    const match = detectOom(["starting", line]);
    expect(match?.lineIndex).toBe(1);
    expect(match?.line).toBe(CUDA_OOM);
  });

  it("let the shell's Killed be found after a progress bar and with a Windows line ending", () => {
    expect(detectOom(["100%|██████████| 5/5 [00:01<00:00]\rKilled"])?.line).toBe("Killed");
    expect(detectOom(["Killed\r"])?.signature).toBe("exit-137");
    expect(detectOom(["\b\b\b\bKilled"])?.signature).toBe("exit-137");
  });

  it("do not turn a Keras progress bar glued to a harmless allocator warning into an OOM", () => {
    const glued = OOM_NEGATIVES.find((n) => n.line.includes("binary_accuracy"))?.line ?? "";
    expect(glued).not.toBe("");
    expect(detectOom([`${ESC}[1m${glued}${ESC}[0m\r`])).toBeUndefined();
  });
});

describe("large and hostile inputs", () => {
  it("scan 100,000 lines and find an OOM on the last one", () => {
    const lines = Array.from(
      { length: 100_000 },
      (_, i) => `step ${i} loss=0.137 memory=${i % 80}% alloc_retries=0`,
    );
    lines[lines.length - 1] = "Killed";
    const match = detectOom(lines);
    expect(match?.lineIndex).toBe(99_999);
    expect(match?.excerpt.split("\n")).toHaveLength(6);
  });

  it("finish on 1 MB lines built to make backtracking regexes explode", () => {
    const mb = 1_000_000;
    const fill = (unit: string) => unit.repeat(Math.ceil(mb / unit.length)).slice(0, mb);
    const hostile = [
      fill("exit "),
      fill("exited with exit code "),
      fill("Killed process 1"),
      fill("Allocator (GPU_0_bfc"),
      fill("resource exhausted "),
      fill("ResourceExhaustedError "),
      fill("XlaRuntimeError "),
      fill(`"OOMKilled" : false `),
      fill("NCCL WARN Failed to CUDA "),
      fill("Cuda failure 12 "),
      fill("MemoryError: "),
      fill("[1]    1 "),
      fill(": line 1:   1 "),
      fill("9"),
      fill(" "),
      fill("memory oom alloc kill 137 -9 exhausted "),
      `${ESC}[${fill("1;")}`,
      `${ESC}]${fill("title")}`,
      fill(`${ESC}[`),
      fill("\r"),
      fill("x\r"),
    ];
    for (const line of hostile) expect(detectOom([line])).toBeUndefined();
    expect(detectOom(hostile)).toBeUndefined();
  });
});
