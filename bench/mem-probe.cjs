// Loaded into the benchmarked server with `node --require` (bench/server.ts):
// on SIGUSR2 it writes process.memoryUsage() and V8's heap statistics to
// $BENCH_MEM_FILE, which /proc cannot tell: how much of the resident memory
// is V8's heap, and how much of that is in use. Only when asked: writing on a
// timer cost the measured server's event loop (ext4 flushes a file renamed
// over another, about 50 ms a time). Bench-only; the product never loads it.
const { writeFileSync, renameSync } = require("node:fs");
const v8 = require("node:v8");

const file = process.env.BENCH_MEM_FILE;
if (file) {
  const write = () => {
    const m = process.memoryUsage();
    const h = v8.getHeapStatistics();
    const spaces = Object.fromEntries(
      v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]),
    );
    const out = {
      at: Date.now(),
      rss: m.rss,
      heapTotal: m.heapTotal,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      mallocedMemory: h.malloced_memory,
      peakMallocedMemory: h.peak_malloced_memory,
      spaces,
      // lib/db/statement-count.ts (absent in builds without it).
      statements: globalThis[Symbol.for("training-alerts.statements")],
    };
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(out));
      renameSync(`${file}.tmp`, file);
    } catch {}
  };
  process.on("SIGUSR2", write);
}
