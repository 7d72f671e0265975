import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./server";

export interface Row {
  engine: string;
  measure: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  goal?: string;
  /** PASS/MISS when there is a goal. */
  verdict?: "PASS" | "MISS";
}

export function goal(pass: boolean): "PASS" | "MISS" {
  return pass ? "PASS" : "MISS";
}

const round = (x: number | undefined) =>
  x === undefined
    ? ""
    : Number.isFinite(x)
      ? Math.abs(x) >= 100
        ? x.toFixed(0)
        : x.toFixed(2)
      : "n/a";

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

/** Prints the table and writes bench-results/bench-<time>.json and bench-results/latest.json. */
export function report(rows: Row[], details: Record<string, unknown>): string {
  const m = machine();
  console.log(`\n${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB, Node ${m.node}`);
  const header = ["engine", "measure", "value", "unit", "baseline", "ratio", "goal", ""];
  const lines = rows.map((r) => [
    r.engine,
    r.measure,
    round(r.value),
    r.unit,
    round(r.baseline),
    round(r.ratio),
    r.goal ?? "",
    r.verdict ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const fmt = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const table = [
    fmt(header),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...lines.map(fmt),
  ].join("\n");
  console.log(table);
  const dir = path.join(ROOT, "bench-results");
  mkdirSync(dir, { recursive: true });
  const out = { at: new Date().toISOString(), machine: m, rows, details };
  const file = path.join(dir, `bench-${out.at.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  writeFileSync(path.join(dir, "latest.json"), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\nwritten: ${path.relative(ROOT, file)}`);
  return table;
}
