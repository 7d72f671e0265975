/**
 * Out-of-memory detection in training logs (the `gpu_oom` trigger).
 *
 * Pure: log lines in, the first OOM report out. No database, no network, no clock,
 * so the logs route, the agent's tailer and the tests all share it.
 *
 * Every signature below was taken from the framework's own source or from real
 * user reports; `oom-corpus.ts` holds those lines with where each came from, plus
 * lines that mention memory without being an OOM. A signature is added only when it
 * names a failed allocation; lines that merely precede one (allocator retries,
 * "2 root error(s) found", NCCL's "Call to CUDA function failed") are left to the
 * line that does name it, which the frameworks always print next.
 *
 * Matching is linear in the input: terminal control sequences are removed by a
 * single scan, one combined pattern skips lines no signature can match, and the
 * signature regexes have no nested or overlapping quantifiers (repeats are
 * bounded), so a 1 MB line or 100k lines cannot backtrack catastrophically.
 */

export interface OomMatch {
  /** Which framework/signature matched, e.g. "pytorch-cuda", "pytorch-rocm", "pytorch-mps", "tensorflow", "jax-xla", "nccl", "cublas", "cudnn", "linux-oom-killer", "exit-137". */
  signature: string;
  /** Index of the matching line in the input. */
  lineIndex: number;
  /** The matching line (trimmed, at most 1000 chars). */
  line: string;
  /** The matching line with a few lines of context before and after (at most ~2,000 chars), for the alert's log_excerpt. */
  excerpt: string;
}

/** Every value `OomMatch.signature` can take. */
export const OOM_SIGNATURE_NAMES = [
  "pytorch-cuda",
  "pytorch-rocm",
  "pytorch-mps",
  "pytorch-xpu",
  "pytorch-cpu",
  "tensorflow",
  "jax-xla",
  "nccl",
  "cublas",
  "cudnn",
  "linux-oom-killer",
  "exit-137",
  "python-memoryerror",
] as const;
export type OomSignatureName = (typeof OOM_SIGNATURE_NAMES)[number];

/** `OomMatch.line` never exceeds this many characters. */
export const OOM_LINE_MAX_CHARS = 1000;
/** `OomMatch.excerpt` never exceeds this many characters. */
export const OOM_EXCERPT_MAX_CHARS = 2000;

/** Lines of context kept before the match (a traceback's last frames). */
const CONTEXT_BEFORE = 5;
/** Lines of context kept after the match (the framework's hints, the next error). */
const CONTEXT_AFTER = 3;
/** Each context line is cut to this, so one huge neighbour cannot crowd out the rest. */
const CONTEXT_LINE_MAX_CHARS = 240;
/** In a cut line, how much text before the match is kept. */
const LINE_LEAD_CHARS = 200;
const ELLIPSIS = "…";

interface Signature {
  name: OomSignatureName;
  /** The text that names the OOM. */
  pattern: RegExp;
  /** Must also appear somewhere in the line. */
  also?: RegExp;
  /** Must not appear in the line. */
  unless?: RegExp;
}

const sig = (
  name: OomSignatureName,
  pattern: RegExp,
  options: { also?: RegExp; unless?: RegExp } = {},
): Signature => ({ name, pattern, ...options });

/**
 * Ordered: the first signature that matches a line names it, so the specific ones
 * (an NCCL or cuBLAS failure inside a "CUDA error: …" line, a HIP OOM raised as
 * torch.OutOfMemoryError) come before the generic ones.
 */
const SIGNATURES: readonly Signature[] = [
  // NCCL's CUDACHECK logs "Cuda failure '%s'" (newer: "Cuda failure %d '%s'"), PyTorch
  // repeats it after ncclUnhandledCudaError; include/alloc.h logs the failed calloc.
  sig("nccl", /\bCuda failure (?:\d{1,4} )?'out of memory'/),
  sig("nccl", /\bNCCL WARN Failed to CUDA [a-z ]{0,12}alloc\b/i),

  // Library handles and workspaces that could not be allocated. cuDNN 9 splits the
  // status into CUDNN_STATUS_ALLOC_FAILED_DEVICE_MEMORY / _HOST_MEMORY.
  sig("cublas", /\bCUBLAS_STATUS_ALLOC_FAILED\b/),
  sig("cudnn", /\bCUDNN_STATUS_ALLOC_FAILED/),

  // PyTorch's caching allocators: "<device> out of memory. Tried to allocate …", and the
  // runtime's own error names when an allocation fails outside the allocator.
  sig("pytorch-rocm", /\bHIP (?:out of memory|error: ?out of memory)/i),
  sig("pytorch-rocm", /\bhipErrorOutOfMemory\b/),
  sig("pytorch-mps", /\bMPS backend out of memory\b/i),
  sig("pytorch-xpu", /\bXPU out of memory\b/i),
  sig("pytorch-cuda", /\bCUDA (?:out of memory|error: ?out of memory)/i),
  sig("pytorch-cuda", /\bcuda runtime error ?\(2\) ?: ?out of memory/i),
  sig("pytorch-cuda", /\bcudaErrorMemoryAllocation\b/),
  // Raised by the CUDA caching allocator when a memory fraction or limit is hit.
  sig("pytorch-cuda", /\bwould exceed allowed memory\b/),
  // The exception itself, with a message; never `except torch.cuda.OutOfMemoryError:`.
  sig("pytorch-cuda", /\btorch\.(?:cuda\.)?OutOfMemoryError: \S/),
  sig("pytorch-cpu", /\bDefaultCPUAllocator: (?:can't allocate memory|not enough memory)/),
  sig("pytorch-cpu", /\bCPUAllocator\.cpp:\d{1,6}\] posix_memalign\(/),

  // TensorFlow. "ResourceExhausted" alone is not enough: TF maps ENOSPC and EDQUOT to it
  // too ("…; No space left on device"), so it counts only with OOM wording. The BFC
  // allocator's warning that ends "The caller indicates that this is not a failure" is
  // printed for allocations that fall back to another algorithm; training continues.
  sig("tensorflow", /\bOOM when allocating\b/i),
  sig("tensorflow", /\bfailed to allocate memory\b/i, { also: /resource[_ ]?exhausted/i }),
  sig("tensorflow", /\bAllocator \([^)]{1,64}\) ran out of memory trying to allocate\b/, {
    unless: /\bnot a failure\b/,
  }),
  sig("tensorflow", /\bEigenAllocator for GPU ran out of memory\b/),
  sig("tensorflow", /\bResourceExhaustedError\b/, { also: /\bOOM\b|out of memory/i }),

  // XLA (JAX, and PyTorch/XLA on TPU): RESOURCE_EXHAUSTED with allocation wording. The
  // stream executor's "failed to alloc N bytes … CUDA_ERROR_OUT_OF_MEMORY" lines are
  // retries with smaller sizes and are deliberately not signatures.
  sig("jax-xla", /\bresource[_ ]exhausted\b/i, {
    also: /out of memory|failed to allocate|OUT_OF_MEMORY/i,
  }),
  sig("jax-xla", /\bXlaRuntimeError\b/, {
    also: /out of memory|OUT_OF_MEMORY|failed to allocate/i,
  }),

  // The kernel OOM killer and what reports it: dmesg (old and new formats), cgroup v1/v2,
  // Slurm, Kubernetes and systemd.
  sig("linux-oom-killer", /\bout of memory: Kill(?:ed)? process\b/i),
  sig("linux-oom-killer", /\boom-kill:constraint=/),
  sig("linux-oom-killer", /\binvoked oom-killer\b/),
  sig("linux-oom-killer", /\bKilled process \d{1,10} \(/, { also: /\b(?:anon|file)-rss:/ }),
  sig("linux-oom-killer", /\boom_reaper: reaped process\b/),
  sig("linux-oom-killer", /\bDetected \d{1,6} oom[-_]kill event/),
  sig("linux-oom-killer", /\btask \d{1,6}: Out Of Memory\b/),
  sig("linux-oom-killer", /\bOOMKill(?:ed|ing)\b/, {
    unless: /OOMKilled"?\s{0,4}[:=]\s{0,4}false/i,
  }),
  sig("linux-oom-killer", /\bkilled by the OOM killer\b/i),
  sig("linux-oom-killer", /\bresult 'oom-kill'/),

  // Host memory in Python: numpy names the allocation; a bare `MemoryError` ending a
  // traceback is CPython's PyErr_NoMemory. Other MemoryError messages (cffi's "cannot
  // allocate write+execute memory") are not exhaustion.
  sig("python-memoryerror", /(?:^|[\s.:])_?(?:Array)?MemoryError: Unable to allocate\b/),
  sig("python-memoryerror", /^(?:\[rank\d{1,5}\]:\s{0,4})?MemoryError$/),

  // SIGKILL, which on a training host is almost always the OOM killer: exit code 137
  // (128 + 9) as shells, Docker, Kubernetes and CI runners report it, -9 as Python and
  // torchrun report it, and the shells' own "Killed".
  sig("exit-137", /^Killed$/),
  sig("exit-137", /: line \d{1,7}: {1,8}\d{1,10} Killed\b/),
  sig("exit-137", /^\[\d{1,4}\] {1,8}\d{1,10} killed {1,8}\S/),
  sig("exit-137", /^zsh: killed\b/),
  sig(
    "exit-137",
    /\b(?:exit(?:ed)?|return(?:ed)?)[ _]?(?:with |a )?(?:non-zero )?(?:exit )?(?:code|status)"?\s{0,8}[:=]?\s{0,16}(?:137|-9)\b/i,
  ),
  sig("exit-137", /\bSignal 9 \(SIGKILL\)/),
  sig("exit-137", /\bterminated with signal SIGKILL\b/),
  sig("exit-137", /\bsignal: [Kk]illed\b/),
  sig("exit-137", /\bsignal 9: ?SIGKILL\b/),
  sig("exit-137", /\bdied with <Signals\.SIGKILL: 9>/),
  sig("exit-137", /\bcode=killed, status=9\/KILL\b/),
];

/**
 * All signature patterns in one case-insensitive alternation: a line it does not match
 * cannot match any signature, so most lines cost one native scan instead of fifty.
 */
const ANY_SIGNATURE = new RegExp(SIGNATURES.map((s) => `(?:${s.pattern.source})`).join("|"), "i");

/** The first out-of-memory report in these log lines, or undefined. */
export function detectOom(lines: readonly string[]): OomMatch | undefined {
  for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
    // A progress bar rewrites its line with \r; each rewrite is its own segment.
    for (const visible of visibleSegments(lines[lineIndex] ?? "")) {
      const segment = visible.trim();
      const found = matchSignature(segment);
      if (found) {
        const line = cutAround(segment, found.index, OOM_LINE_MAX_CHARS);
        return {
          signature: found.name,
          lineIndex,
          line,
          excerpt: buildExcerpt(lines, lineIndex, line),
        };
      }
    }
  }
  return undefined;
}

function matchSignature(text: string): { name: OomSignatureName; index: number } | undefined {
  if (!ANY_SIGNATURE.test(text)) return undefined;
  for (const s of SIGNATURES) {
    const m = s.pattern.exec(text);
    if (!m) continue;
    if (s.also && !s.also.test(text)) continue;
    if (s.unless?.test(text)) continue;
    return { name: s.name, index: m.index };
  }
  return undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding terminal control characters is the point.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000a-\u001f\u007f\u009b]/;
const ESC = 0x1b;
const CSI_C1 = 0x9b;
const BEL = 0x07;
const BACKSPACE = 0x08;
const TAB = 0x09;
const CR = 0x0d;
const DEL = 0x7f;

/**
 * The texts a terminal would have shown for one raw line, in order, without blank
 * ones: escape sequences (CSI colours and cursor moves, OSC titles and hyperlinks,
 * charset selections) and other control characters are dropped, and carriage returns
 * and backspaces (how progress bars redraw) split segments. One pass over the
 * characters, so it is linear whatever the input.
 */
function visibleSegments(raw: string): string[] {
  if (!CONTROL_CHARACTER.test(raw)) return raw.trim() ? [raw] : [];
  const segments: string[] = [];
  let pieces: string[] = [];
  let runStart = 0;
  const endSegment = () => {
    const text = pieces.join("");
    if (text.trim()) segments.push(text);
    pieces = [];
  };
  let i = 0;
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    const control = c < 0x20 || c === DEL || c === CSI_C1;
    if (!control || c === TAB) {
      i++;
      continue;
    }
    if (i > runStart) pieces.push(raw.slice(runStart, i));
    if (c === CR || c === BACKSPACE) {
      endSegment();
      i++;
    } else if (c === CSI_C1) {
      i = skipCsi(raw, i + 1);
    } else if (c === ESC) {
      const next = raw.charCodeAt(i + 1);
      if (next === 0x5b /* [ */) i = skipCsi(raw, i + 2);
      else if (next === 0x5d /* ] */) i = skipOsc(raw, i + 2);
      else i = skipEscape(raw, i + 1);
    } else {
      i++;
    }
    runStart = i;
  }
  if (runStart < raw.length) pieces.push(raw.slice(runStart));
  endSegment();
  return segments;
}

/** Past a CSI sequence: parameter and intermediate bytes, then one final byte (@ to ~). */
function skipCsi(raw: string, from: number): number {
  let i = from;
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    if (c >= 0x40 && c <= 0x7e) return i + 1;
    if (c < 0x20 || c > 0x3f) return i; // malformed: stop here, keep what follows
    i++;
  }
  return i;
}

/** Past any other escape sequence: intermediate bytes, then one final byte (ESC ( B, ESC 7). */
function skipEscape(raw: string, from: number): number {
  let i = from;
  while (i < raw.length && raw.charCodeAt(i) >= 0x20 && raw.charCodeAt(i) <= 0x2f) i++;
  const c = raw.charCodeAt(i);
  return c >= 0x30 && c <= 0x7e ? i + 1 : i;
}

/** Past an OSC sequence (window titles, hyperlinks), which ends with BEL or ESC \. */
function skipOsc(raw: string, from: number): number {
  let i = from;
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    if (c === BEL) return i + 1;
    if (c === ESC) return raw.charCodeAt(i + 1) === 0x5c /* \ */ ? i + 2 : i + 1;
    i++;
  }
  return i;
}

/** At most `max` characters of `text`, keeping the part around `index` when it must cut. */
function cutAround(text: string, index: number, max: number): string {
  if (text.length <= max) return text;
  const start = Math.max(0, Math.min(index - LINE_LEAD_CHARS, text.length - max));
  const end = start + max;
  const head = start > 0 ? ELLIPSIS : "";
  const tail = end < text.length ? ELLIPSIS : "";
  return head + text.slice(start + head.length, end - tail.length) + tail;
}

/**
 * What a terminal shows for a context line: its last segment, indentation kept (it is
 * a traceback's structure), cut to a few hundred chars.
 */
function contextLine(raw: string): string {
  const segments = visibleSegments(raw);
  const last = (segments[segments.length - 1] ?? "").trimEnd();
  return last.length > CONTEXT_LINE_MAX_CHARS
    ? `${last.slice(0, CONTEXT_LINE_MAX_CHARS - ELLIPSIS.length)}${ELLIPSIS}`
    : last;
}

/**
 * The matching line with up to CONTEXT_BEFORE lines before it and CONTEXT_AFTER after,
 * nearest first, while the whole stays within OOM_EXCERPT_MAX_CHARS.
 */
function buildExcerpt(lines: readonly string[], index: number, line: string): string {
  const before: string[] = [];
  const after: string[] = [];
  let size = line.length;
  let beforeOpen = true;
  let afterOpen = true;
  for (let k = 1; k <= Math.max(CONTEXT_BEFORE, CONTEXT_AFTER); k++) {
    if (beforeOpen && k <= CONTEXT_BEFORE && index - k >= 0) {
      const text = contextLine(lines[index - k] ?? "");
      if (size + text.length + 1 <= OOM_EXCERPT_MAX_CHARS) {
        before.unshift(text);
        size += text.length + 1;
      } else beforeOpen = false;
    }
    if (afterOpen && k <= CONTEXT_AFTER && index + k < lines.length) {
      const text = contextLine(lines[index + k] ?? "");
      if (size + text.length + 1 <= OOM_EXCERPT_MAX_CHARS) {
        after.push(text);
        size += text.length + 1;
      } else afterOpen = false;
    }
  }
  return [...before, line, ...after].join("\n");
}
