// `sts-policy test`: run policy unit tests like a test runner; text, json or junit; coverage.
import { writeFileSync } from 'node:fs';
import { findTestFiles, loadTestFile, runTestFile, computeCoverage, tally, TestFileError, type TestFile, type TestRun } from '../simulate/policy-tests.js';
import { testJson, testJunit, testText } from '../report/test-results.js';
import { colorEnabled } from '../report/colors.js';
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

export function runTests(paths: string[], opts: TestOptions): number {
  const { files, notSearched: cuts } = findTestFiles(paths.length ? paths : ['.']);
  for (const dir of cuts)
    process.stderr.write(`sts-policy: warning: ${inert(notSearched('test discovery', dir, 'run the tests there'))}\n`);
  if (!files.length) {
    if (opts.allowEmpty) return EXIT.ok;
    throw new UsageError(`no policy tests found in ${(paths.length ? paths : ['.']).join(', ')} (looked for .atmos/pro/sts/tests/<policy>.test.yaml); pass --allow-empty to accept that`);
  }
  const runs: TestRun[] = [];
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
  const { passed, failed } = tally(runs);
  const text =
    opts.format === 'json' ? testJson(runs, coverage, passed, failed) : opts.format === 'junit' ? testJunit(runs) : testText(runs, coverage, passed, failed, { ...opts, color: !opts.output && colorEnabled(process.stdout) });
  if (opts.output) writeFileSync(opts.output, text);
  else process.stdout.write(text);
  const belowThreshold = opts.coverageThreshold !== undefined && coverage.percent < opts.coverageThreshold;
  if (belowThreshold && opts.format !== 'text') process.stderr.write(`sts-policy: coverage ${coverage.percent}% is below --coverage-threshold ${opts.coverageThreshold}%\n`);
  return failed || belowThreshold ? EXIT.findings : EXIT.ok;
}
