// Renders policy test results (`sts-policy test`): text for people (a trace under each failure, a
// witness token per answer when a case turns on claims it leaves out, coverage gaps), JSON, or
// JUnit XML for CI test reporters.
import type { CaseResult, Coverage, TestRun } from '../simulate/policy-tests.js';
import { formatTrace } from './trace-text.js';
import { palette } from './colors.js';
import { inert } from './inert.js';

/** `coverageThreshold` undefined and `coverage` false: no coverage section. */
export function testText(runs: TestRun[], coverage: Coverage, passed: number, failed: number, opts: { color: boolean; coverage?: boolean; coverageThreshold?: number }): string {
  const c = palette(opts.color);
  const out: string[] = [];
  for (const { file, read, results } of runs) {
    out.push(c.bold(inert(file.path)) + c.dim(`  (policy ${file.policyName}${file.source ? ` of ${inert(file.source)}` : ''}: ${inert(read.path)}${read.kind === 'valid' ? '' : `, ${read.kind === 'missing' ? 'missing' : 'invalid'}`})`));
    for (const r of results) {
      out.push(`  ${r.passed ? c.bold('✓') : c.red('✗')} ${inert(r.case.name)} ${c.dim(`(line ${r.case.line})`)}`);
      if (r.passed) continue;
      out.push(`      ${c.red(inert(r.failure!))}`);
      for (const w of witnessLines(r)) out.push(`      ${inert(w)}`);
      if (read.kind === 'invalid') for (const f of read.findings) out.push(inert(`      ${f.path}:${f.line}:${f.column}  ${f.message}  ${f.ruleId}`));
      // The rule that should have matched: the one named, else the closest (most matchers true).
      const trace = r.trace ?? [];
      const wanted = r.case.rule !== undefined ? trace.filter((t) => t.rule === r.case.rule! - 1) : r.case.expect === 'minted' ? closest(trace) : trace.filter((t) => t.matched);
      out.push(...formatTrace(wanted, '      ').map(inert));
    }
  }
  const summary = `${passed} passed, ${failed} failed`;
  out.push('', failed ? c.red(c.bold(summary)) : c.bold(summary));
  if (opts.coverage || opts.coverageThreshold !== undefined) {
    out.push(`coverage: ${coverage.percent}% (each rule matched and not matched by some case; each matcher the only failing one of its rule in some case)`);
    for (const r of coverage.rules) {
      const gaps = [...(r.allowed ? [] : ['no case matches it']), ...(r.denied ? [] : ['no case fails it']), ...r.matchers.filter((m) => !m.decisive).map((m) => `no case fails \`${m.claim}\` (line ${m.line}) alone`)];
      if (gaps.length) out.push(`  ${inert(r.policyPath)}:${r.line}  rule ${r.rule}: ${gaps.join('; ')}`);
    }
    if (opts.coverageThreshold !== undefined && coverage.percent < opts.coverageThreshold) out.push(c.red(`coverage ${coverage.percent}% is below the threshold ${opts.coverageThreshold}%`));
  }
  return out.join('\n') + '\n';
}

/** Each answer over the case's tokens with its witness, a whole token `simulate --claims` reproduces. */
function witnessLines(r: CaseResult): string[] {
  return (r.completions ?? []).map((a) => `${a.outcome}${a.rule ? ` (rule ${a.rule})` : ''} for ${JSON.stringify(a.witness)}`);
}

function closest(trace: NonNullable<CaseResult['trace']>) {
  let best = trace[0];
  for (const t of trace) if (t.matchers.filter((m) => m.matched).length > (best?.matchers.filter((m) => m.matched).length ?? -1)) best = t;
  return best ? [best] : [];
}

export function testJson(runs: TestRun[], coverage: Coverage, passed: number, failed: number): string {
  return (
    JSON.stringify(
      {
        version: 1,
        files: runs.map(({ file, read, results }) => ({
          path: file.path,
          policy: file.policyName,
          policyPath: read.path,
          source: file.source ?? null,
          cases: results.map((r) => ({ name: r.case.name, line: r.case.line, passed: r.passed, expected: r.case.expect, actual: r.actual, rule: r.rule ?? null, permissions: r.permissions ?? null, failure: r.failure ?? null, ...(r.completions && { completions: r.completions }), ...(r.undecided && { undecided: r.undecided }) })),
        })),
        summary: { passed, failed },
        coverage,
      },
      null,
      2,
    ) + '\n'
  );
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function testJunit(runs: TestRun[]): string {
  const suites = runs.map(({ file, results }) => {
    const failures = results.filter((r) => !r.passed).length;
    const cases = results.map((r) => {
      const head = `    <testcase classname="${xml(file.path)}" name="${xml(r.case.name)}"`;
      if (r.passed) return `${head}/>`;
      const detail = [...witnessLines(r), ...formatTrace(r.trace ?? [], '')].join('\n');
      return `${head}>\n      <failure message="${xml(r.failure!)}">${xml(detail)}</failure>\n    </testcase>`;
    });
    return `  <testsuite name="${xml(file.path)}" tests="${results.length}" failures="${failures}" errors="0">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const total = runs.reduce((n, r) => n + r.results.length, 0);
  const failures = runs.reduce((n, r) => n + r.results.filter((x) => !x.passed).length, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sts-policy" tests="${total}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}
