import type { FileHandle } from "node:fs/promises";
import { open, stat } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";

export interface LogTailOptions {
  /** The log file to follow; it need not exist yet. */
  path: string;
  /**
   * Where to begin in a file that already exists when tailing starts: `"end"`
   * reads only what is appended from now on (like `tail -F -n0`: an old run's
   * log must not raise alerts for a new job), `"start"` reads it all. A file
   * that appears later, or replaces the first one, is always read from its
   * start. Default `"end"`.
   */
  startAt?: "end" | "start";
  /** Longer lines are cut to this many characters (bounds memory; the API takes 16384). Default 16_000. */
  maxLineLength?: number;
  /** Most bytes read per poll, so a huge backlog is read over several polls. Default 4 MiB. */
  maxReadBytes?: number;
}

const CHUNK_BYTES = 64 * 1024;

/**
 * Follows a log file by polling, as `tail -F` does: appended bytes become
 * complete lines; a file that shrinks (truncated in place, `copytruncate`) is
 * read again from its start; a file replaced by another (renamed away by
 * rotation, deleted and created again) is read to its end, then the new one
 * is followed. Polling rather than fs.watch: watch events are unreliable on
 * network filesystems and across rotation, where training logs often live.
 *
 * A truncation that the file outgrows again between two polls is not
 * detectable from its size; poll often enough for the log's write rate.
 */
export class LogTail {
  readonly path: string;
  private readonly startAt: "end" | "start";
  private readonly maxLine: number;
  private readonly maxRead: number;
  private handle: FileHandle | undefined;
  private identity = "";
  private offset = 0;
  private decoder = new StringDecoder("utf8");
  private partial = "";
  /** Inside an overlong line whose start was already emitted: drop until its end. */
  private skipping = false;
  private started = false;

  constructor(options: LogTailOptions) {
    this.path = options.path;
    this.startAt = options.startAt ?? "end";
    this.maxLine = options.maxLineLength ?? 16_000;
    this.maxRead = options.maxReadBytes ?? 4 * 1024 * 1024;
  }

  /**
   * The complete lines written since the last poll (blank lines left out).
   * Throws only for unexpected filesystem errors (e.g. permission denied); a
   * missing file is simply no lines yet.
   */
  async poll(): Promise<string[]> {
    const lines: string[] = [];
    const firstPoll = !this.started;
    this.started = true;
    const current = await statFile(this.path);
    if (this.handle && (!current || identityOf(current) !== this.identity)) {
      // Rotated or removed: what was written to the old file before it went is still ours.
      await this.readAvailable(lines, Number.POSITIVE_INFINITY);
      this.flushPartial(lines);
      await this.closeHandle();
    }
    if (!this.handle && current) {
      const handle = await open(this.path, "r").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined;
        throw error;
      });
      if (!handle) return lines;
      const opened = await handle.stat();
      this.handle = handle;
      this.identity = identityOf(opened);
      this.offset = firstPoll && this.startAt === "end" ? opened.size : 0;
      this.resetDecoding();
    }
    if (this.handle) await this.readAvailable(lines, this.maxRead);
    return lines;
  }

  async close(): Promise<void> {
    await this.closeHandle();
  }

  private async readAvailable(lines: string[], budget: number): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    const { size } = await handle.stat();
    if (size < this.offset) {
      // Truncated in place: the rest of the old content is gone; start over.
      this.flushPartial(lines);
      this.offset = 0;
      this.resetDecoding();
    }
    const end = Math.min(size, this.offset + budget);
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    while (this.offset < end) {
      const { bytesRead } = await handle.read(
        buffer,
        0,
        Math.min(CHUNK_BYTES, end - this.offset),
        this.offset,
      );
      if (bytesRead === 0) break;
      this.offset += bytesRead;
      this.take(this.decoder.write(buffer.subarray(0, bytesRead)), lines);
    }
  }

  private take(text: string, lines: string[]): void {
    let rest = text;
    if (this.skipping) {
      const newline = rest.indexOf("\n");
      if (newline < 0) return;
      rest = rest.slice(newline + 1);
      this.skipping = false;
    }
    const pieces = (this.partial + rest).split("\n");
    this.partial = pieces.pop() ?? "";
    for (const piece of pieces) this.emit(piece, lines);
    if (this.partial.length > this.maxLine) {
      // No newline in sight (a progress bar redrawn with \r, binary junk):
      // keep its start and bound the memory.
      this.emit(this.partial, lines);
      this.partial = "";
      this.skipping = true;
    }
  }

  private emit(raw: string, lines: string[]): void {
    let line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    // A line redrawn with carriage returns (tqdm) shows only its last state on a terminal.
    const cr = line.lastIndexOf("\r");
    if (cr >= 0) line = line.slice(cr + 1);
    if (line.trim() === "") return;
    lines.push(line.length > this.maxLine ? line.slice(0, this.maxLine) : line);
  }

  private flushPartial(lines: string[]): void {
    const tail = this.partial + this.decoder.end();
    this.partial = "";
    if (!this.skipping) this.emit(tail, lines);
    this.skipping = false;
  }

  private resetDecoding(): void {
    this.decoder = new StringDecoder("utf8");
    this.partial = "";
    this.skipping = false;
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.identity = "";
    this.offset = 0;
    this.resetDecoding();
    await handle?.close().catch(() => undefined);
  }
}

async function statFile(path: string) {
  try {
    const s = await stat(path);
    return s.isFile() ? s : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function identityOf(s: { dev: number; ino: number }): string {
  return `${s.dev}:${s.ino}`;
}
