// Shared helpers for bench/run.mjs: process timing, statistics, the results table and JSON.
// No timing here is ever asserted in tests: the bench reports figures against bars, nothing more.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (bench/..), as a path. */
export const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
export const BENCH_DIR = join(ROOT, '.bench');
export const CLI = join(ROOT, 'dist', 'cli.cjs');

/** Positive integer from the environment, or the default. */
export function envInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * Runs a command to completion and returns its wall time in milliseconds (spawn to exit, as a
 * shell user would see it) with its status and output. Throws if it could not be spawned.
 */
export function timeRun(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  return { ms, status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Throws with the command's output when its exit status is not one of `ok`. */
export function expectStatus(r, ok, what) {
  if (!ok.includes(r.status)) throw new Error(`${what} exited ${r.status ?? r.signal} (expected ${ok.join(' or ')})\n${(r.stderr || r.stdout || '').slice(0, 2000)}`);
  return r;
}

export function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export const median = (values) => quantile(values, 0.5);

/** Median, quartiles, min/max and the relative spread (IQR / median) of a sample, in its unit. */
export function stats(values) {
  const med = median(values);
  const p25 = quantile(values, 0.25);
  const p75 = quantile(values, 0.75);
  return {
    n: values.length,
    median: round(med),
    p25: round(p25),
    p75: round(p75),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
    iqrPct: round((100 * (p75 - p25)) / med, 1),
    samples: values.map((v) => round(v)),
  };
}

export const round = (v, digits = 2) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

/** A figure a section reports: a name, a value and its unit, optionally held against a bar. */
export function figure(name, value, unit, bar) {
  const f = { name, value: round(value, 3), unit };
  if (bar) {
    const pass = bar.op === '<=' ? value <= bar.limit : bar.op === '<' ? value < bar.limit : bar.op === '>=' ? value >= bar.limit : value > bar.limit;
    f.bar = { op: bar.op, limit: bar.limit, pass };
  }
  return f;
}

const fmtValue = (f) => {
  const v = f.value;
  const text = Number.isInteger(v) && !f.unit ? String(v) : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
  return f.unit ? `${text} ${f.unit}` : text;
};

/** The readable table: one line per figure; bars show the limit and PASS/FAIL. */
export function formatTable(results) {
  const rows = [['section', 'figure', 'value', 'bar', 'result']];
  for (const r of results) {
    if (r.error) {
      rows.push([r.section, `error: ${r.error.split('\n')[0].replace(/^Error: /, '').slice(0, 70)}`, '', '', 'ERROR']);
      continue;
    }
    for (const f of r.figures) rows.push([r.section, f.name, fmtValue(f), f.bar ? `${f.bar.op} ${f.bar.limit}${f.unit ? ` ${f.unit}` : ''}` : '', f.bar ? (f.bar.pass ? 'PASS' : 'FAIL') : '']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row) => row.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** The newest modification time (ms) of any file under the given paths. */
export function newestMtime(paths) {
  let newest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const s = statSync(p);
    if (s.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
    else newest = Math.max(newest, s.mtimeMs);
  };
  for (const p of paths) visit(p);
  return newest;
}

/** Progress and notes go to stderr so stdout stays the table. */
export const log = (msg) => process.stderr.write(`${msg}\n`);
