// A minimal Language Server Protocol client over stdio (JSON-RPC 2.0 with Content-Length framing),
// enough to drive a real language server from a test: requests, notifications, answers to the
// server's own requests, and bounded waits for notifications. Every wait has a timeout that rejects
// (naming what was awaited and the server's stderr tail), so a silent server fails a test instead
// of hanging it.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Pending {
  resolve: (v: Json) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  method: string;
}

interface Waiter {
  method: string;
  predicate: (params: Json) => boolean;
  resolve: (params: Json) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface Diagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity?: number;
  message: string;
  source?: string;
  code?: string | number;
}

export class LspClient {
  readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private waiters: Waiter[] = [];
  private handlers = new Map<string, (params: Json) => Json | Promise<Json>>();
  private stderrText = '';
  private exited: Promise<number | null>;
  /** Every notification received, in order (method and params). */
  readonly notifications: { method: string; params: Json }[] = [];
  /** Every request the server sent us (method and params). */
  readonly serverRequests: { method: string; params: Json }[] = [];

  constructor(command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderrText = (this.stderrText + chunk.toString('utf8')).slice(-4000);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    this.child.on('exit', (code, signal) => {
      const err = new Error(`language server exited (code ${code}, signal ${signal})${this.stderrTail()}`);
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(err);
      }
      this.pending.clear();
      for (const w of this.waiters) {
        clearTimeout(w.timer);
        w.reject(err);
      }
      this.waiters = [];
    });
    this.child.stdin.on('error', () => undefined); // EPIPE after the server died: reported through `exit`
  }

  get stderr(): string {
    return this.stderrText;
  }

  private stderrTail(): string {
    return this.stderrText ? `\nserver stderr (tail):\n${this.stderrText.slice(-1500)}` : '';
  }

  /** Answer the server's requests of this method (default for unknown methods: `null`). */
  onRequest(method: string, handler: (params: Json) => Json | Promise<Json>): void {
    this.handlers.set(method, handler);
  }

  request<T = Json>(method: string, params: Json, timeoutMs = 15_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`LSP request ${method} got no response within ${timeoutMs} ms${this.stderrTail()}`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, method });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: Json): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /**
   * Resolve on the next notification of `method` whose params satisfy `predicate`, received after
   * this call; reject after `timeoutMs`. Call it before sending whatever triggers the notification.
   */
  nextNotification<T = Json>(method: string, predicate: (params: T) => boolean = () => true, timeoutMs = 15_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        method,
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error(`no ${method} notification within ${timeoutMs} ms${this.stderrTail()}`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Open a document and resolve with the diagnostics the server publishes for it. */
  async openAndDiagnose(uri: string, text: string, timeoutMs = 15_000): Promise<Diagnostic[]> {
    const published = this.nextNotification<{ uri: string; diagnostics: Diagnostic[] }>('textDocument/publishDiagnostics', (p) => p.uri === uri, timeoutMs);
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    return (await published).diagnostics;
  }

  /** shutdown + exit, then SIGKILL if the process is still there after `graceMs`. */
  async stop(graceMs = 3_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      await this.request('shutdown', null, graceMs);
      this.notify('exit', null);
    } catch {
      // fall through to the kill
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private send(message: Json): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const length = Number(/Content-Length:\s*(\d+)/i.exec(header)?.[1]);
      if (!Number.isFinite(length)) throw new Error(`bad LSP header: ${header}`);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body));
    }
  }

  private dispatch(msg: Json): void {
    if (msg.id !== undefined && msg.method === undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.error) p.reject(new Error(`LSP ${p.method} failed: ${msg.error.code} ${msg.error.message}`));
      else p.resolve(msg.result);
      return;
    }
    if (msg.id !== undefined) {
      this.serverRequests.push({ method: msg.method, params: msg.params });
      const handler = this.handlers.get(msg.method);
      Promise.resolve(handler ? handler(msg.params) : null).then(
        (result) => this.send({ jsonrpc: '2.0', id: msg.id, result: result ?? null }),
        (err: unknown) => this.send({ jsonrpc: '2.0', id: msg.id, error: { code: -32603, message: String(err) } }),
      );
      return;
    }
    this.notifications.push({ method: msg.method, params: msg.params });
    for (const w of [...this.waiters]) {
      if (w.method === msg.method && w.predicate(msg.params)) {
        clearTimeout(w.timer);
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(msg.params);
      }
    }
  }
}
