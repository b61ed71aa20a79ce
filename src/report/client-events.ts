// The audit's GitHub client events (failed attempts, rate-limit waits) as progress notes for stderr.
import type { ClientEvent } from '../github/client.js';

export function describeEvent(e: ClientEvent): string {
  if (e.kind === 'attempt-failed') return `${e.what}: ${e.status ? `GitHub answered ${e.status}` : 'no answer (network error or timeout)'} (retried with back-off while --retries allow)`;
  const secs = e.waitMs < 1000 ? `${e.waitMs} ms` : `${Math.round(e.waitMs / 100) / 10} s`;
  const what = e.limit === 'secondary' ? "GitHub's secondary rate limit" : e.limit === 'primary' ? "GitHub's API rate limit is exhausted" : 'GitHub answered 429 (too many requests)';
  return e.retrying ? `${what}: waiting ${secs} before retrying` : `${what}: not retrying (a ${secs} wait is over --max-wait)`;
}
