// Renders an evaluation trace for people: each rule, each matcher, and why it failed.
import type { RuleTrace } from '../engine/evaluate.js';

export function formatTrace(trace: readonly RuleTrace[], indent: string): string[] {
  const out: string[] = [];
  for (const r of trace) {
    out.push(`${indent}rule ${r.rule + 1} (line ${r.line}): ${r.matched ? 'matches' : 'does not match'}`);
    for (const m of r.matchers) {
      const value = m.value === null ? '(absent)' : JSON.stringify(m.value);
      const pattern = m.kind === 'regex' ? `regex ${JSON.stringify(m.pattern)}` : `glob ${JSON.stringify(m.pattern)}`;
      out.push(`${indent}  ${m.matched ? '✓' : '✗'} ${m.claim} ${value} vs ${pattern} (line ${m.line})${m.reason ? `: ${m.reason}` : ''}`);
    }
  }
  return out;
}
