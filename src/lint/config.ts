// `.sts-policy.yaml`: the repository's lint settings (trusted owners, subject template, per-rule
// severity), found at the repository root or named with --config, checked by hand against
// schemas/sts-policy-config.json with located errors. Trusted owners fall back to the owner in
// the repository's `origin` remote (load/git.ts reads .git/config by hand; git is never run).
import { closeSync, constants, existsSync, lstatSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { RepoRoot } from '../load/discover.js';
import { SourceText } from '../load/text.js';
import { parseYaml, placeAt, type Locate, type PathSegment } from '../load/yaml.js';
import { allRuleMetas } from '../findings.js';
import { didYouMean } from '../validate/suggest.js';
import type { LintConfig } from '../rules/framework.js';
import { CONFIG_FILE, OWNER_PATTERN, type Severity } from '../model.js';
import { originOwner } from '../load/git.js';
import { isValidityRuleId } from './ignores.js';

export { CONFIG_FILE, OWNER_PATTERN };
const MAX_CONFIG_BYTES = 256 * 1024;
export const CONFIG_KEYS = ['owners', 'subjectTemplate', 'rules'] as const;
export const SEVERITY_SETTINGS = ['off', 'info', 'warning', 'error'] as const;
const SETTING_KEYS = ['severity', 'options'];
/** Claim keys GitHub accepts in an OIDC `include_claim_keys` template (`repo` and `context` are composites). */
export const SUBJECT_TEMPLATE_KEYS = [
  'repo', 'context', 'actor', 'actor_id', 'base_ref', 'check_run_id', 'enterprise', 'enterprise_id', 'environment', 'event_name', 'head_ref',
  'job_workflow_ref', 'job_workflow_sha', 'ref', 'ref_protected', 'ref_type', 'repository', 'repository_id', 'repository_owner',
  'repository_owner_id', 'repository_visibility', 'run_attempt', 'run_id', 'run_number', 'runner_environment', 'sha', 'workflow',
  'workflow_ref', 'workflow_sha',
] as const;

export const configurableRuleIds = () => allRuleMetas().map((m) => m.id).filter((id) => !isValidityRuleId(id));

export interface ConfigProblem {
  path: string;
  line: number;
  column: number;
  message: string;
}

export const formatConfigProblem = (p: ConfigProblem) => `${p.path}:${p.line}:${p.column}: ${p.message}`;

export type ConfigResult = { ok: true; config: LintConfig } | { ok: false; problems: ConfigProblem[] };

/** Parses and checks a config file's text; every mistake is reported with its position. */
export function parseConfigText(path: string, text: string): ConfigResult {
  const source = new SourceText(text.replace(/^\uFEFF/, ''));
  const parsed = parseYaml(source);
  if (!parsed.ok) {
    if (parsed.problems[0]?.ruleId === 'yaml/empty-file') return { ok: true, config: {} };
    return { ok: false, problems: parsed.problems.map((p) => ({ path, ...source.position(p.start), message: p.message })) };
  }
  const problems: ConfigProblem[] = [];
  const report = (at: PathSegment[], where: 'key' | 'value', message: string) => problems.push({ path, ...position(source, parsed.locate, at, where), message });
  const data = parsed.data;
  if (!isMapping(data)) {
    report([], 'value', `a config is a mapping with ${CONFIG_KEYS.map((k) => `\`${k}\``).join(', ')}, e.g. \`owners: [acme]\``);
    return { ok: false, problems };
  }
  const config: LintConfig = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === 'owners') config.owners = checkOwners(value, report);
    else if (key === 'subjectTemplate') config.subjectTemplate = checkTemplate(value, report);
    else if (key === 'rules') config.rules = checkRules(value, report);
    else report([key], 'key', `unknown key \`${key}\`${hint(key, CONFIG_KEYS)} Allowed: ${CONFIG_KEYS.join(', ')}`);
  }
  return problems.length ? { ok: false, problems } : { ok: true, config };
}

type Report = (at: PathSegment[], where: 'key' | 'value', message: string) => void;

function checkOwners(value: unknown, report: Report): string[] | undefined {
  if (!Array.isArray(value) || !value.length) return void report(['owners'], value === null ? 'key' : 'value', '`owners` must be a non-empty list of owner logins, e.g. `owners: [acme, acme-labs]`');
  value.forEach((o, i) => {
    if (typeof o !== 'string') report(['owners', i], 'value', `an owner is a login string, not ${kindOf(o)}: quote it`);
    else if (!OWNER_PATTERN.test(o)) report(['owners', i], 'value', `\`${o}\` is not an owner login (letters, digits and single hyphens, up to 39 characters${o.includes('/') ? `; for \`${o}\` write its owner \`${o.split('/')[0]}\`` : ''})`);
  });
  return value.filter((o): o is string => typeof o === 'string');
}

function checkTemplate(value: unknown, report: Report): string[] | undefined {
  if (!Array.isArray(value) || !value.length) return void report(['subjectTemplate'], value === null ? 'key' : 'value', '`subjectTemplate` must be the non-empty list of your org\'s `include_claim_keys`, e.g. `subjectTemplate: [repo, context, job_workflow_ref]`');
  value.forEach((k, i) => {
    if (typeof k !== 'string') report(['subjectTemplate', i], 'value', `a template entry is a claim key string, not ${kindOf(k)}`);
    else if (!(SUBJECT_TEMPLATE_KEYS as readonly string[]).includes(k)) report(['subjectTemplate', i], 'value', `\`${k}\` is not a claim key GitHub includes in a subject${hint(k, SUBJECT_TEMPLATE_KEYS)} Use \`repo\`, \`context\` or a token claim such as \`job_workflow_ref\``);
  });
  return value.filter((k): k is string => typeof k === 'string');
}

function checkRules(value: unknown, report: Report): LintConfig['rules'] {
  if (!isMapping(value)) return void report(['rules'], value === null ? 'key' : 'value', '`rules` must be a mapping of rule ids to a severity, e.g. `rules: {security/any-owner: error}`');
  const known = configurableRuleIds();
  const out: NonNullable<LintConfig['rules']> = {};
  for (const [id, setting] of Object.entries(value)) {
    if (isValidityRuleId(id) && allRuleMetas().some((m) => m.id === id)) {
      report(['rules', id], 'key', `\`${id}\` cannot be configured: it predicts \`trust_policy_invalid\` (STS fails closed whatever lint says); fix the policy instead`);
      continue;
    }
    if (!known.includes(id)) {
      report(['rules', id], 'key', `unknown rule id \`${id}\`${hint(id, known)} \`sts-policy rules\` lists the rule ids`);
      continue;
    }
    const checked = checkSetting(id, setting, report);
    if (checked) out[id] = checked;
  }
  return out;
}

function checkSetting(id: string, setting: unknown, report: Report): { severity?: Severity | 'off' } | undefined {
  const at: PathSegment[] = ['rules', id];
  const severity = (v: unknown, path: PathSegment[]) => {
    if (typeof v === 'string' && (SEVERITY_SETTINGS as readonly string[]).includes(v)) return v as Severity | 'off';
    report(path, 'value', `\`${String(v)}\` is not a severity${typeof v === 'string' ? hint(v, SEVERITY_SETTINGS) : '.'} Use ${SEVERITY_SETTINGS.map((s) => `\`${s}\``).join(', ')}`);
    return undefined;
  };
  if (!isMapping(setting)) {
    const s = severity(setting, at);
    return s && { severity: s };
  }
  const out: { severity?: Severity | 'off' } = {};
  for (const [k, v] of Object.entries(setting)) {
    if (k === 'severity') out.severity = severity(v, [...at, k]);
    // No rule takes options yet: only an empty mapping is accepted.
    else if (k === 'options') {
      if (!isMapping(v)) report([...at, k], 'value', '`options` must be a mapping of option names to values');
      else if (Object.keys(v).length) report([...at, k], 'key', `\`${id}\` takes no options; remove \`options\``);
    } else report([...at, k], 'key', `unknown key \`${k}\`${hint(k, SETTING_KEYS)} A rule setting has \`severity\` and \`options\``);
  }
  return out;
}

/** `: did you mean `x`?` for a near miss (a typo, swapped letters, a prefix such as `warn`), else `.`. */
function hint(input: string, candidates: readonly string[]): string {
  const letters = (s: string) => [...s.toLowerCase()].sort().join('');
  const h =
    didYouMean(input, candidates) ??
    candidates.find((c) => letters(c) === letters(input)) ??
    (input.length >= 3 ? candidates.find((c) => c.toLowerCase().startsWith(input.toLowerCase())) : undefined);
  return h ? `: did you mean \`${h}\`?` : '.';
}

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function kindOf(v: unknown): string {
  if (v === null) return 'empty (null)';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `the ${typeof v} ${String(v)}`;
}

function position(source: SourceText, locate: Locate, path: PathSegment[], where: 'key' | 'value') {
  return source.position(placeAt(locate, path, where)?.start ?? 0);
}

/** Reads a config file: bounded, strict UTF-8, and (when found by walking up) never through a symlink. */
export function loadConfigFile(path: string, opts: { followSymlink?: boolean; shownAs?: string } = {}): ConfigResult {
  const shown = opts.shownAs ?? path;
  const fail = (message: string): ConfigResult => ({ ok: false, problems: [{ path: shown, line: 1, column: 1, message }] });
  try {
    const st = opts.followSymlink ? statSync(path) : lstatSync(path);
    if (st.isSymbolicLink()) return fail(`${CONFIG_FILE} is a symbolic link: sts-policy does not follow it; commit the config as a regular file or pass --config`);
    if (!st.isFile()) return fail('the config is not a regular file');
    if (st.size > MAX_CONFIG_BYTES) return fail(`the config is ${st.size} bytes; configs over ${MAX_CONFIG_BYTES} bytes are refused`);
    const fd = openSync(path, constants.O_RDONLY | (opts.followSymlink ? 0 : constants.O_NOFOLLOW));
    const buf = Buffer.alloc(Math.min(st.size, MAX_CONFIG_BYTES) + 1);
    let n = 0;
    try {
      for (let got; n < buf.length && (got = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += got;
    } finally {
      closeSync(fd);
    }
    let text: string;
    try {
      // The BOM is kept: parseConfigText drops exactly one, for every source of config text.
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf.subarray(0, n));
    } catch {
      return fail('the config is not valid UTF-8: save it as UTF-8');
    }
    return parseConfigText(shown, text);
  } catch (e) {
    return fail(`cannot read the config: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** The repository a path belongs to: the nearest folder (the path itself included) holding `.git` or `.atmos`. */
export function repoRootOf(path: string): string | undefined {
  let dir = resolve(path);
  try {
    if (!lstatSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    dir = dirname(dir);
  }
  for (let depth = 0; depth < 128; depth++) {
    if (existsSync(join(dir, '.git')) || existsSync(join(dir, '.atmos'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

export interface RepoSettings {
  /** The config file that applies, if any. */
  configPath?: string;
  config: LintConfig;
  /** Config `owners`, else the origin remote's owner. */
  trustedOwners?: readonly string[];
  problems: ConfigProblem[];
}

/**
 * Settings for each linted file, cached per repository root. An explicit --config applies to every
 * file; otherwise each repository's own `.sts-policy.yaml` does.
 */
export class SettingsResolver {
  private readonly byRoot = new Map<string, RepoSettings>();
  private readonly explicit?: ConfigResult & { path: string };

  constructor(opts: { configPath?: string; config?: LintConfig } = {}) {
    if (opts.config) this.explicit = { ok: true, config: opts.config, path: opts.configPath ?? '' };
    else if (opts.configPath) this.explicit = { ...loadConfigFile(opts.configPath, { followSymlink: true }), path: opts.configPath };
  }

  private readonly rootOfDir = new Map<string, string>();
  private readonly byKnownRoot = new Map<string, RepoSettings>();

  /** `known`: the repository discovery found the file in (saves the search up the tree, and lstats of what its listing showed absent). */
  forPath(path: string, known?: RepoRoot): RepoSettings {
    if (known) {
      let s = this.byKnownRoot.get(known.path);
      if (!s) this.byKnownRoot.set(known.path, (s = this.forRoot(resolve(known.path), known)));
      return s;
    }
    // Policies of one repository share a folder: find its root once per folder, not per file.
    const dir = dirname(resolve(path));
    let root = this.rootOfDir.get(dir);
    if (root === undefined) this.rootOfDir.set(dir, (root = repoRootOf(path) ?? dir));
    return this.forRoot(root);
  }

  private forRoot(root: string, known?: RepoRoot): RepoSettings {
    let s = this.byRoot.get(root);
    if (!s) this.byRoot.set(root, (s = this.resolve(root, known)));
    return s;
  }

  private resolve(root: string, known?: RepoRoot): RepoSettings {
    let found: (ConfigResult & { path?: string }) | undefined = this.explicit;
    if (!found && known?.settings !== false) {
      const candidate = join(root, CONFIG_FILE);
      // No config means defaults (no throw: an exception per repository is costly on big trees).
      if (lstatSync(candidate, { throwIfNoEntry: false }) !== undefined) {
        const rel = relative(process.cwd(), candidate);
        const shown = rel.startsWith('..') ? candidate : rel;
        found = { ...loadConfigFile(candidate, { shownAs: shown }), path: shown };
      }
    }
    const config = found?.ok ? found.config : {};
    const owner = config.owners || known?.git === false ? undefined : originOwner(root);
    return { configPath: found?.path || undefined, config, trustedOwners: config.owners ?? (owner ? [owner] : undefined), problems: found && !found.ok ? found.problems : [] };
  }
}

/**
 * The one subject template the settings of every path's repository give (a `--subject` or a typed
 * subject is read with it); undefined when that is GitHub's default or the repositories disagree.
 */
export function sharedSubjectTemplate(paths: readonly string[], settings = new SettingsResolver()): readonly string[] | undefined {
  const templates = new Set(paths.map((p) => JSON.stringify(settings.forPath(p).config.subjectTemplate ?? null)));
  return templates.size === 1 ? ((JSON.parse([...templates][0]!) as string[] | null) ?? undefined) : undefined;
}
