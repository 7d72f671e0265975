import { createHash } from "node:crypto";
import { statfs } from "node:fs/promises";

export interface DiskUsage {
  path: string;
  /** Share of the space ordinary users may fill that is used, 0–100, one decimal. */
  usedPercent: number;
}

const SIX_HOURS_MS = 6 * 60 * 60 * 1000;

/**
 * Disk usage of the filesystem holding `path`, as `df` reports it: blocks
 * reserved for root count as neither used nor available, so a disk `df`
 * shows at 100% is 100% here even though root could still write to it.
 */
export async function diskUsage(path: string): Promise<DiskUsage> {
  const s = await statfs(path);
  const used = s.blocks - s.bfree;
  const usable = used + s.bavail;
  // Pseudo filesystems (proc, some FUSE mounts) report no blocks at all.
  const usedPercent = usable > 0 ? Math.round((used / usable) * 1000) / 10 : 0;
  return { path, usedPercent };
}

/**
 * The Idempotency-Key of a disk warning: one per user, host, path and 6-hour
 * bucket, so an agent that restarts (or runs from cron) re-sends the same key
 * and the server answers `duplicate: true` instead of alerting again. The path
 * is hashed because a header carries visible ASCII only.
 */
export function diskWarningKey(userId: string, host: string, path: string, nowMs: number): string {
  const where = createHash("sha256").update(`${host}\0${path}`).digest("hex").slice(0, 32);
  return `disk-warning:${userId}:${where}:${Math.floor(nowMs / SIX_HOURS_MS)}`;
}
