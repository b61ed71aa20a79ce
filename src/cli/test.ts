// `sts-policy test`: run policy unit tests like a test runner; text, json or junit; coverage.
import { writeFileSync } from 'node:fs';
import { findTestFiles, loadTestFile, runTestFile, computeCoverage, TestFileError, type CaseResult, type TestFile, type Coverage } from '../simulate/policy-tests.js';
import type { PolicyRead } from '../simulate/simulate.js';
import { formatTrace } from './trace-text.js';
import { colorEnabled, palette } from '../report/colors.js';
import { UsageError, EXIT } from './errors.js';
import { inert } from '../report/inert.js';
import { notSearched } from '../load/discover.js';

export interface TestOptions {
  format: 'text' | 'json' | 'junit';
  output?: string;
  coverage?: boolean;
  coverageThreshold?: number;
  allowEmpty?: boolean;
}

interface Run {
  file: TestFile;
  read: PolicyRead;
  results: CaseResult[];
}

export function runTests(paths: string[], opts: TestOptions): number {
  const { files, notSearched: cuts } = findTestFiles(paths.length ? paths : ['.']);
  for (const dir of cuts)
    process.stderr.write(`sts-policy: warning: ${inert(notSearched('test discovery', dir, 'run the tests there'))}\n`);
  if (!files.length) {
    if (opts.allowEmpty) return EXIT.ok;
    throw new UsageError(`no policy tests found in ${(paths.length ? paths : ['.']).join(', ')} (looked for .atmos/pro/sts/tests/<policy>.test.yaml); pass --allow-empty to accept that`);
  }
  const runs: Run[] = [];
  for (const path of files) {
    let file: TestFile;
    try {
      file = loadTestFile(path);
    } catch (e) {
      if (e instanceof TestFileError) throw new UsageError(e.message);
      throw e;
    }
    runs.push({ file, ...runTestFile(file) });
  }
  const coverage = computeCoverage(runs);
  const failed = runs.reduce((n, r) => n + r.results.filter((x) => !x.passed).length, 0);
  const passed = runs.reduce((n, r) => n + r.results.filter((x) => x.passed).length, 0);
  const text = opts.format === 'json' ? json(runs, coverage, passed, failed) : opts.format === 'junit' ? junit(runs) : human(runs, coverage, passed, failed, opts);
  if (opts.output) writeFileSync(opts.output, text);
  else process.stdout.write(text);
  const belowThreshold = opts.coverageThreshold !== undefined && coverage.percent < opts.coverageThreshold;
  if (belowThreshold && opts.format !== 'text') process.stderr.write(`sts-policy: coverage ${coverage.percent}% is below --coverage-threshold ${opts.coverageThreshold}%\n`);
  return failed || belowThreshold ? EXIT.findings : EXIT.ok;
}

function human(runs: Run[], coverage: Coverage, passed: number, failed: number, opts: TestOptions): string {
  const c = palette(!opts.output && colorEnabled(process.stdout));
  const out: string[] = [];
  for (const { file, read, results } of runs) {
    out.push(c.bold(inert(file.path)) + c.dim(`  (policy ${file.policyName}${file.source ? ` of ${inert(file.source)}` : ''}: ${inert(read.path)}${read.kind === 'valid' ? '' : `, ${read.kind === 'missing' ? 'missing' : 'invalid'}`})`));
    for (const r of results) {
      out.push(`  ${r.passed ? c.bold('✓') : c.red('✗')} ${inert(r.case.name)} ${c.dim(`(line ${r.case.line})`)}`);
      if (r.passed) continue;
      out.push(`      ${c.red(inert(r.failure!))}`);
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

function closest(trace: NonNullable<CaseResult['trace']>) {
  let best = trace[0];
  for (const t of trace) if (t.matchers.filter((m) => m.matched).length > (best?.matchers.filter((m) => m.matched).length ?? -1)) best = t;
  return best ? [best] : [];
}

function json(runs: Run[], coverage: Coverage, passed: number, failed: number): string {
  return (
    JSON.stringify(
      {
        version: 1,
        files: runs.map(({ file, read, results }) => ({
          path: file.path,
          policy: file.policyName,
          policyPath: read.path,
          source: file.source ?? null,
          cases: results.map((r) => ({ name: r.case.name, line: r.case.line, passed: r.passed, expected: r.case.expect, actual: r.actual, rule: r.rule ?? null, permissions: r.permissions ?? null, failure: r.failure ?? null })),
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

function junit(runs: Run[]): string {
  const suites = runs.map(({ file, results }) => {
    const failures = results.filter((r) => !r.passed).length;
    const cases = results.map((r) => {
      const head = `    <testcase classname="${xml(file.path)}" name="${xml(r.case.name)}"`;
      if (r.passed) return `${head}/>`;
      const detail = formatTrace(r.trace ?? [], '').join('\n');
      return `${head}>\n      <failure message="${xml(r.failure!)}">${xml(detail)}</failure>\n    </testcase>`;
    });
    return `  <testsuite name="${xml(file.path)}" tests="${results.length}" failures="${failures}" errors="0">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const total = runs.reduce((n, r) => n + r.results.length, 0);
  const failures = runs.reduce((n, r) => n + r.results.filter((x) => !x.passed).length, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sts-policy" tests="${total}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}
