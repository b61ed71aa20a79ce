// `sts-policy diff`: who gains or loses access between two versions of trust policies, with proof.
import { statSync } from 'node:fs';
import { filePair, dirPairs, gitPairs } from '../diff/sources.js';
import { diffPairs } from '../diff/policy-diff.js';
import { failed, type FailOn } from '../diff/verdict.js';
import { UsageError, EXIT } from './errors.js';
import { diffJson, diffMarkdown, diffText } from '../report/diff.js';
import { formatConfigProblem, SettingsResolver } from '../lint/config.js';

export interface DiffOptions {
  base?: string;
  head?: string;
  repo?: string;
  format: 'text' | 'markdown' | 'json';
  failOn?: FailOn;
  /** Lint settings file (default: the repository's own .sts-policy.yaml): its `subjectTemplate` shapes every subject. */
  config?: string;
}

export function runDiff(paths: string[], opts: DiffOptions): number {
  const diffs = diffPairs(pairsFor(paths, opts), subjectTemplate(paths, opts));
  const out = opts.format === 'json' ? JSON.stringify(diffJson(diffs), null, 2) + '\n' : opts.format === 'markdown' ? diffMarkdown(diffs) : diffText(diffs);
  process.stdout.write(out);
  return failed(diffs, opts.failOn) ? EXIT.findings : EXIT.ok;
}

function pairsFor(paths: string[], opts: DiffOptions) {
  if (opts.base) {
    if (paths.length > 1) throw new UsageError('with --base, give at most one path: the repository (default .)');
    return gitPairs(paths[0] ?? opts.repo ?? '.', opts.base, opts.head);
  }
  if (opts.head) throw new UsageError('--head needs --base');
  if (paths.length !== 2) throw new UsageError('give OLD NEW (two files or two directories), or --base REV [--head REV] inside a git repository');
  const [a, b] = paths as [string, string];
  const kind = (p: string) => statSync(p, { throwIfNoEntry: false });
  const ka = kind(a);
  const kb = kind(b);
  if (!ka && !kb) throw new UsageError(`neither ${a} nor ${b} exists`);
  if ((ka ?? kb)!.isDirectory()) return dirPairs(a, b);
  return [filePair(a, b)];
}

/** The subject template of the settings lint uses for the new side's repository (or --config). */
function subjectTemplate(paths: readonly string[], opts: DiffOptions): string[] | undefined {
  const where = opts.base ? (paths[0] ?? opts.repo ?? '.') : (paths[1] ?? '.');
  const rs = new SettingsResolver({ configPath: opts.config }).forPath(where);
  if (rs.problems.length) throw new UsageError(`the lint settings have problems: ${rs.problems.map(formatConfigProblem).join('; ')}`);
  return rs.config.subjectTemplate;
}
