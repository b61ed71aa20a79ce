// Progress of a long audit on stderr: a redrawn bar on a terminal, plain lines otherwise (CI logs),
// nothing with --quiet. Events (retries, rate-limit waits) are lines in both modes.

export interface Progress {
  /** A new phase, with the count of repos it covers when known. */
  phase(label: string, total?: number): void;
  advance(n: number): void;
  /** A line for a person; `transient` lines only show on a terminal's bar. */
  note(message: string, transient?: boolean): void;
  done(): void;
}

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export const silentProgress: Progress = { phase() {}, advance() {}, note() {}, done() {} };

/** `requests` counts API requests for the progress lines; absent for a local audit. */
export function createProgress(stream: ProgressStream, requests?: () => number, now: () => number = Date.now): Progress {
  return stream.isTTY ? new BarProgress(stream, requests, now) : new LineProgress(stream, requests);
}

const PREFIX = 'sts-policy audit:';
const SMALL = 50;

class LineProgress implements Progress {
  private label = '';
  private total = 0;
  private count = 0;
  private lastDecile = 0;

  constructor(
    private readonly stream: ProgressStream,
    private readonly requests?: () => number,
  ) {}

  phase(label: string, total?: number): void {
    this.label = label;
    this.total = total ?? 0;
    this.count = 0;
    this.lastDecile = 0;
    this.stream.write(`${PREFIX} ${label}${total !== undefined ? ` (${total} repos)` : ''}\n`);
  }

  advance(n: number): void {
    this.count += n;
    if (!this.total) return;
    // One line per tenth of the way (only the last for a few repos): a 10,000-repo log stays short.
    const decile = this.total < SMALL && this.count < this.total ? 0 : Math.floor((this.count * 10) / this.total);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(`${PREFIX} ${this.label}: ${this.count}/${this.total} repos${this.requests ? `, ${this.requests()} API requests` : ''}\n`);
    }
  }

  note(message: string, transient = false): void {
    if (!transient) this.stream.write(`${PREFIX} ${message}\n`);
  }

  done(): void {}
}

class BarProgress implements Progress {
  private label = '';
  private total = 0;
  private count = 0;
  private extra = '';
  private drawnAt = 0;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly requests: (() => number) | undefined,
    private readonly now: () => number,
  ) {}

  phase(label: string, total?: number): void {
    this.label = label;
    this.total = total ?? 0;
    this.count = 0;
    this.extra = '';
    this.draw(true);
  }

  advance(n: number): void {
    this.count += n;
    this.draw(this.count === this.total);
  }

  note(message: string, transient = false): void {
    if (transient) {
      this.extra = message;
      return this.draw(false);
    }
    this.clear();
    this.stream.write(`${PREFIX} ${message}\n`);
    this.draw(true);
  }

  done(): void {
    this.clear();
  }

  private clear(): void {
    if (this.drawn) this.stream.write('\r\u001b[2K');
    this.drawn = false;
  }

  private draw(force: boolean): void {
    const t = this.now();
    if (!force && t - this.drawnAt < 80) return;
    this.drawnAt = t;
    const columns = this.stream.columns || 80;
    const width = Math.max(10, Math.min(30, columns - 60));
    const bar = this.total ? `[${'#'.repeat(Math.round((this.count / this.total) * width)).padEnd(width, '.')}] ${this.count}/${this.total}` : this.extra;
    const line = `${this.label} ${bar}${this.requests ? ` · ${this.requests()} requests` : ''}`;
    this.stream.write(`\r\u001b[2K${line.slice(0, columns - 1)}`);
    this.drawn = true;
  }
}
