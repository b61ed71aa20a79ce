// Option values shared by the commands: repeatable options, counts, seconds and worker counts.
// A value that does not parse is a usage error naming the option.
import { UsageError } from './errors.js';

/** A repeatable option's values, in order. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

export function parseConcurrency(value: string): number | 'auto' | 'off' {
  if (value === 'auto' || value === 'off') return value;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 64) throw new UsageError(`--concurrency takes a number of workers (1 to 64), \`auto\` or \`off\`, not ${JSON.stringify(value)}`);
  return Number(value);
}

export function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`expected a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

export function count(value: string, flag: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`${flag} expects a whole number${min ? ` of at least ${min}` : ''}, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Seconds (decimals allowed) as milliseconds. */
export function seconds(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n < min) throw new UsageError(`${flag} expects a number of seconds${min ? ' above 0' : ''}, got ${JSON.stringify(value)}`);
  return Math.round(n * 1000);
}
