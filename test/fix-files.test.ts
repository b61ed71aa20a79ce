// `lint --fix` as a library call (lint/fix-files.ts): a dry run returns each changed file's texts and
// writes nothing; a real run writes them and lints the fixed text; a file that cannot be written
// is a FixWriteError naming it and the reason, never a stack trace.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintPaths } from '../src/lint/lint.js';
import { SettingsResolver } from '../src/lint/config.js';
import { fixFiles, FixWriteError } from '../src/lint/fix-files.js';
import { ROOT } from './helpers/cli.js';

const FIXTURE = join(ROOT, 'fixtures/rules/regex-style/invalid');
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** A repository whose policy is the regex/style `anchors` fixture (its fixable finding is safe). */
function repo(): { dir: string; file: string; settings: SettingsResolver } {
  const dir = mkdtempSync(join(tmpdir(), 'sts-policy-fix-files-'));
  temps.push(dir);
  mkdirSync(join(dir, '.atmos/pro/sts'), { recursive: true });
  const file = join(dir, '.atmos/pro/sts/anchors.yaml');
  copyFileSync(join(FIXTURE, 'anchors.yaml'), file);
  return { dir, file, settings: new SettingsResolver({}) };
}

describe('fixFiles', () => {
  it('dry run: returns the before and after texts, writes nothing, and lints the fixed text', () => {
    const { dir, file, settings } = repo();
    const before = readFileSync(file, 'utf8');
    const linted = lintPaths([dir], { settings });
    expect(linted.findings.map((f) => f.ruleId)).toContain('regex/style');
    const run = fixFiles(linted, settings, { dryRun: true });
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(run.changes).toEqual([{ path: linted.files[0]!.path, before, after: readFileSync(join(FIXTURE, 'anchors.fixed.yaml'), 'utf8') }]);
    expect(run.fixes).toBeGreaterThan(0);
    expect(run.result.findings.filter((f) => f.ruleId === 'regex/style' && /redundant/.test(f.message))).toEqual([]);
  });

  it('writes the fixed text in place', () => {
    const { dir, file, settings } = repo();
    fixFiles(lintPaths([dir], { settings }), settings, {});
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(FIXTURE, 'anchors.fixed.yaml'), 'utf8'));
  });

  it('a file that cannot be written is a FixWriteError naming the file and the reason', () => {
    const { dir, file, settings } = repo();
    // The temporary file the write goes through is taken, so the write fails (even as root).
    writeFileSync(join(dir, `.atmos/pro/sts/.anchors.yaml.sts-policy-fix-${process.pid}`), '');
    const linted = lintPaths([dir], { settings });
    const thrown = (() => {
      try {
        fixFiles(linted, settings, {});
      } catch (e) {
        return e;
      }
    })();
    expect(thrown).toBeInstanceOf(FixWriteError);
    expect((thrown as Error).message).toBe(`cannot write the fixes to ${linted.files[0]!.path}: EEXIST`);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(FIXTURE, 'anchors.yaml'), 'utf8'));
  });
});
