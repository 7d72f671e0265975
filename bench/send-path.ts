/**
 * The send path alone (issue 14): `sendClaimed` for `--n` claimed deliveries
 * of one webhook kind, to the bench receiver in a child process, so the CPU
 * counted (process.cpuUsage, µs per delivery, after a warm-up run) is the
 * sender's: opening the destination, the card and its mute link, format,
 * signing and the outbound client. No database, no engine. Add
 * `node --cpu-prof` (`node --cpu-prof --import tsx bench/send-path.ts`) for a
 * profile; the machine's other load shows in the spread of the runs.
 *
 *   npx tsx bench/send-path.ts [--n 2000] [--kind generic|slack|discord] [--concurrency 8] [--runs 5]
 */
import { fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import pino from "pino";
import type { DeliveryDeps } from "../lib/alerts/delivery/delivery.types";
import { sendClaimed } from "../lib/alerts/delivery/send";
import type { ClaimedDelivery } from "../lib/alerts/sql/claim-due-deliveries";
import { SECRET_PURPOSE, URL_PURPOSE } from "../lib/alerts/webhook-input";
import { parseConfig } from "../lib/config/config";
import { encrypt } from "../lib/security/encryption";
import { closeAgents } from "../lib/security/safe-http";
import { makeSecrets } from "./server";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "2000" },
    kind: { type: "string", default: "generic" },
    concurrency: { type: "string", default: "8" },
    runs: { type: "string", default: "5" },
    child: { type: "boolean", default: false },
  },
});

if (values.child) {
  // The receiver: answers 200 at once, in its own process.
  const { startBenchReceiver } = await import("./receiver");
  const r = await startBenchReceiver();
  process.send?.(r.url);
} else {
  const child = fork(new URL(import.meta.url).pathname, ["--child"], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const url = await new Promise<string>((resolve) =>
    child.once("message", (m) => resolve(String(m))),
  );
  const config = parseConfig({ ...makeSecrets().env, ALERTS_DATA_DIR: "/tmp/ta-send-path" });
  const now = new Date("2026-03-02T12:00:00Z");
  const deps = {
    config,
    db: undefined as never,
    clock: () => now,
    log: pino({ level: "silent" }),
    queue: undefined as never,
    email: undefined as never,
  } as DeliveryDeps;
  const kind = values.kind ?? "generic";
  const webhookId = randomUUID();
  const userId = randomUUID();
  const storedUrl = encrypt(config.encryptionKeys, `${url}/hook/${userId}/0`, URL_PURPOSE);
  const storedSecret =
    kind === "generic"
      ? encrypt(
          config.encryptionKeys,
          `whsec_${Buffer.alloc(32, 3).toString("base64")}`,
          SECRET_PURPOSE,
        )
      : null;
  const claimed = (i: number): ClaimedDelivery => ({
    id: randomUUID(),
    alert_id: randomUUID(),
    user_id: userId,
    channel: "webhook",
    webhook_id: webhookId,
    attempts: 1,
    send_slot: null,
    alert_type: "job_failed",
    title: "❌ Training failed: bench",
    message: "bench failed: bench",
    job_id: randomUUID(),
    // As the database answers it: parsed JSON.
    data: JSON.parse(`{"model_name":"bench","error":"bench","marker":"m${i}"}`),
    alert_created_at: now,
    event_received_at: now,
    url: storedUrl,
    secret: storedSecret,
    webhook_type: kind,
    webhook_enabled: true,
    held_until: null,
    email: null,
  });
  const n = Number(values.n);
  const concurrency = Number(values.concurrency);
  const runOnce = async () => {
    const rows = Array.from({ length: n }, (_, i) => claimed(i));
    let next = 0;
    let bad = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < rows.length) {
          const d = rows[next++] as ClaimedDelivery;
          const r = await sendClaimed(deps, d);
          if (r === "skip" || r.verdict !== "delivered") bad++;
        }
      }),
    );
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (bad) throw new Error(`${bad} sends not delivered`);
    return { cpuMs: (cpu.user + cpu.system) / 1000, wall };
  };
  await runOnce(); // warm-up
  const results = [];
  for (let r = 0; r < Number(values.runs); r++) results.push(await runOnce());
  const per = results.map((r) => (r.cpuMs / n) * 1000).sort((a, b) => a - b);
  const median = per[Math.floor(per.length / 2)] ?? 0;
  console.log(
    `${kind}: CPU µs/delivery runs=${per.map((p) => p.toFixed(0)).join(",")} median=${median.toFixed(0)}; ` +
      `wall ms/run ${results.map((r) => r.wall.toFixed(0)).join(",")}`,
  );
  closeAgents();
  child.kill();
}
