// `lint` as a library call: discover, read safely, validate, run the lint rules with each
// repository's settings (`.sts-policy.yaml`), and honour inline ignore comments.
import { basename } from 'node:path';
import { discover, policyNameOf, type Discovery, type RepoRoot, type Target } from '../load/discover.js';
import type { SourceText } from '../load/text.js';
import { policyFromBytes, readPolicyFile, type ReadResult } from '../load/read.js';
import { isValidityError, readPolicy, type ValidatedPolicy } from '../validate/policy.js';
import { compareFindings, makeFinding } from '../findings.js';
import type { Finding } from '../model.js';
import { runLintRules } from '../rules/run.js';
import type { LintConfig } from '../rules/framework.js';
import { SettingsResolver, formatConfigProblem, type ConfigProblem } from './config.js';
import { applyIgnores, isValidityRuleId, type IgnoredFinding } from './ignores.js';

export interface FileResult {
  path: string;
  policyName: string;
  /** Valid for STS: it would evaluate the policy rather than answer `trust_policy_invalid`. */
  valid: boolean;
  validated?: ValidatedPolicy;
  /** The text, for reporters that quote it (set whenever the file could be read). */
  source?: SourceText;
}

export interface LintResult {
  files: FileResult[];
  findings: Finding[];
  /** Findings an `# sts-policy-ignore` comment suppressed, with its reason. */
  ignored: IgnoredFinding[];
  /** Usage problems: paths that do not exist, config files with mistakes (located). */
  errors: string[];
}

const FILE_START = { line: 1, column: 1, endLine: 1, endColumn: 1 };

export interface LintOptions {
  /** Settings for every file; without it (and without `configPath`) each repository's `.sts-policy.yaml` applies. */
  config?: LintConfig;
  /** A config file for every file (`--config`). */
  configPath?: string;
  /** Trusted owners for a target path when the config names none (default: the origin remote's owner). */
  trustedOwners?: (path: string) => readonly string[] | undefined;
  /** Honour `# sts-policy-ignore` comments (default true; `--no-ignores` turns them off). */
  ignores?: boolean;
  /** Reuse settings already resolved (the CLI shares them between linting and fixing). */
  settings?: SettingsResolver;
}

export interface CheckOptions {
  config: LintConfig;
  trustedOwners?: readonly string[];
  ignores?: boolean;
}

export function lintPaths(paths: readonly string[], options: LintOptions = {}): LintResult {
  const settings = options.settings ?? new SettingsResolver({ config: options.config, configPath: options.configPath });
  return lintDiscovered(discover(paths), (t) => lintTarget(t, (p) => preparePolicy(p, settings, options)));
}

/**
 * Lints a policy given as bytes (`lint -` reads stdin) as the file at `path` (`--stdin-filename`):
 * named after it, with the settings of the repository it would sit in.
 */
export function lintBytes(path: string, bytes: Uint8Array, options: LintOptions = {}): LintResult {
  return lintRead(path, policyFromBytes(bytes), options);
}

/** Lints a policy already read (from bytes, or from a git revision: `explore --git-ref`) as the file at `path`. */
export function lintRead(path: string, read: ReadResult, options: LintOptions = {}): LintResult {
  const settings = options.settings ?? new SettingsResolver({ config: options.config, configPath: options.configPath });
  const name = policyNameOf(path) ?? basename(path).replace(/\.ya?ml$/i, '');
  const target = { kind: 'policy' as const, path, name };
  return lintDiscovered({ targets: [target], errors: [] }, (t) => lintTarget(t, () => ({ check: checkOptionsFor(settings, path, options), read })));
}

/** One target's share of a lint result; config problems are formatted, deduplicated by the caller. */
export interface TargetResult {
  file?: FileResult;
  findings: Finding[];
  ignored: IgnoredFinding[];
  problems: string[];
}

/** A policy target made ready to validate: its file read and its repository's settings resolved (by the thread that walks). */
export interface PreparedPolicy {
  read: ReadResult;
  check: CheckOptions & { problems: ConfigProblem[] };
  /** The file validated already (by the thread that read it). */
  validated?: ValidatedPolicy;
}

type PolicyTarget = Extract<Target, { kind: 'policy' }>;

export function preparePolicy(t: PolicyTarget, settings: SettingsResolver, options: Pick<LintOptions, 'trustedOwners' | 'ignores'>): PreparedPolicy {
  return { check: checkOptionsFor(settings, t.path, options, t.root), read: readPolicyFile(t.path) };
}

/** Lints one target; `prepare` gives a policy target's file and settings (preparePolicy, or what another thread prepared). */
export function lintTarget(t: Target, prepare: (t: PolicyTarget) => PreparedPolicy): TargetResult {
  if (t.kind === 'near-miss') return { findings: [nearMissFinding(t)], ignored: [], problems: [] };
  const { read, check: checkWithProblems, validated } = prepare(t);
  const { problems, ...check } = checkWithProblems;
  const r = loadPolicy(t, read, validated);
  const file: FileResult = { path: r.path, policyName: r.policyName, valid: r.valid, validated: r.validated, source: r.validated?.source };
  if (!r.validated) return { file, findings: r.readFindings, ignored: [], problems: problems.map(formatConfigProblem) };
  return { file, ...checkPolicy(r.validated, check), problems: problems.map(formatConfigProblem) };
}

/** The finding for a near miss, or for a folder discovery did not search. */
export const nearMissFinding = (t: Extract<Target, { kind: 'near-miss' }>): Finding => makeFinding(t.path, t.ruleId ?? 'file/near-miss', t.message, FILE_START);

/** Gathers per-target results, in target order, into one lint result (findings sorted); discovery's errors first. */
export function lintDiscovered({ targets, errors: discoveryErrors }: Discovery, lintOne: (t: Target) => TargetResult): LintResult {
  const files: FileResult[] = [];
  const findings: Finding[] = [];
  const ignored: IgnoredFinding[] = [];
  const problems = new Set<string>();
  for (const t of targets) {
    const r = lintOne(t);
    if (r.file) files.push(r.file);
    findings.push(...r.findings);
    ignored.push(...r.ignored);
    for (const p of r.problems) problems.add(p);
  }
  return { files, findings: findings.sort(compareFindings), ignored: ignored.sort(compareFindings), errors: [...discoveryErrors, ...problems] };
}

/** How one file is checked: its repository's settings; trusted owners from the config, the caller, or the origin remote. */
export function checkOptionsFor(settings: SettingsResolver, path: string, options: Pick<LintOptions, 'trustedOwners' | 'ignores'>, root?: RepoRoot): CheckOptions & { problems: ConfigProblem[] } {
  const s = settings.forPath(path, root);
  return { config: s.config, trustedOwners: s.config.owners ?? options.trustedOwners?.(path) ?? s.trustedOwners, ignores: options.ignores, problems: s.problems };
}

/** The findings for one validated policy: validity, lint rules, configured severities, then ignores. */
export function checkPolicy(validated: ValidatedPolicy, opts: CheckOptions): { findings: Finding[]; ignored: IgnoredFinding[] } {
  let findings = [...validated.findings];
  findings.push(...runLintRules(validated, opts.config, opts.trustedOwners));
  findings = configure(findings, opts.config);
  if (opts.ignores === false) return { findings, ignored: [] };
  const applied = applyIgnores(validated.path, validated.source, findings, { linted: Boolean(validated.policy) });
  return { findings: configure(applied.findings, opts.config), ignored: applied.ignored };
}

/** Applies the config's per-rule severity (`off` drops) to every finding but the validity ones. */
export function configure(findings: Finding[], config: LintConfig): Finding[] {
  if (!config.rules) return findings;
  const out: Finding[] = [];
  for (const f of findings) {
    const severity = isValidityRuleId(f.ruleId) ? undefined : config.rules[f.ruleId]?.severity;
    if (severity === 'off') continue;
    out.push(severity && severity !== f.severity ? { ...f, severity } : f);
  }
  return out;
}

/** Reads (unless another thread has) and validates one policy target; a read failure is a located finding, never a throw. */
export function loadPolicy(t: PolicyTarget, read: ReadResult = readPolicyFile(t.path), given?: ValidatedPolicy): FileResult & { readFindings: Finding[] } {
  const r = given ? { validated: given, findings: given.findings } : readPolicy(t.path, t.name, read);
  return { path: t.path, policyName: t.name, valid: !r.findings.some(isValidityError), validated: r.validated, readFindings: r.validated ? [] : r.findings };
}
