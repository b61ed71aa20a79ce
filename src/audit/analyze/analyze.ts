// A repo snapshot -> its audit: which entries of `.atmos/pro/sts/` STS would select as policies
// (the rules of `discover`), which are near misses, and each policy's validity and lint findings.
// Identical policy texts (common across an org) are validated and linted once.
import { POLICY_DIR } from '../../model.js';
import type { Finding } from '../../model.js';
import { makeFinding } from '../../findings.js';
import { nearMissInPolicyDir, TESTS_DIR } from '../../load/discover.js';
import type { ReadResult } from '../../load/read.js';
import { isValidityError, readPolicy, type ValidatedPolicy } from '../../validate/policy.js';
import type { LintConfig } from '../../rules/framework.js';
import { checkPolicy } from '../../lint/lint.js';
import type { IgnoredFinding } from '../../lint/ignores.js';
import type { PolicyDirEntry, PolicyFileAudit, RepoAudit, RepoSnapshot } from '../model.js';

export interface AnalyzeOptions {
  /** Only this policy name is audited (near misses are always reported). */
  policyName?: string;
  config: LintConfig;
  /** Trusted owners for lint; default: the config's `owners`, else the source repo's owner. */
  trustedOwners?: readonly string[];
  /** Honour `# sts-policy-ignore` comments, as `lint` does (default true). */
  ignores?: boolean;
}

const YAMLISH = /\.(ya?ml|json)$/i;
const FILE_START = { line: 1, column: 1, endLine: 1, endColumn: 1 };

export const SYMLINK_READ: ReadResult = {
  ok: false,
  ruleId: 'file/symlink',
  message: 'the policy path is a symbolic link: sts-policy never follows it and sts-policy predicts `trust_policy_invalid` (its assumption: the server never follows it); commit the policy as a regular file',
};
export const DIRECTORY_READ: ReadResult = {
  ok: false,
  ruleId: 'file/directory',
  message: 'the policy path is a directory, not a file: sts-policy predicts `trust_policy_invalid` (its assumption: the server never follows it); a policy is a single YAML file',
};

/** Does `entry` name a file STS could select (`<name>.yaml` with a valid name), for `policyName` if given? */
export function isPolicyCandidate(fileName: string, policyName?: string): boolean {
  if (nearMissInPolicyDir(fileName)) return false;
  return !policyName || fileName === `${policyName}.yaml`;
}

interface Memo {
  validated: ValidatedPolicy;
  findings: Finding[];
  ignored: IgnoredFinding[];
  valid: boolean;
}

export class RepoAnalyzer {
  private readonly memo = new Map<string, Memo>();
  private readonly configIds = new Map<LintConfig, number>();
  private readonly configId = (c: LintConfig) => this.configIds.get(c) ?? this.configIds.set(c, this.configIds.size).get(c)!;

  constructor(private readonly opts: AnalyzeOptions) {}

  audit(s: RepoSnapshot): RepoAudit {
    const out: RepoAudit = { snapshot: s, repo: s.repo, status: 'none', policies: [], nearMisses: [] };
    if (s.error) return { ...out, status: 'unknown' };
    if (!s.dir) return { ...out, status: s.disabled ? 'disabled' : 'none' };
    const base = `${s.pathPrefix}${POLICY_DIR}`;
    if (s.dir.kind === 'not-a-folder') out.nearMisses.push(makeFinding(base, 'file/near-miss', s.dir.message, FILE_START));
    if (s.dir.kind === 'entries') this.classify(s, base, s.dir.entries, out);
    out.status = out.policies.some((p) => !p.valid) ? 'invalid' : out.policies.length ? 'policy' : 'none';
    return out;
  }

  private classify(s: RepoSnapshot, base: string, entries: readonly PolicyDirEntry[], out: RepoAudit): void {
    const names = new Set(entries.map((e) => e.name));
    const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of sorted) {
      const path = `${base}/${e.name}`;
      if (e.type === 'dir') {
        if (e.name === TESTS_DIR) continue;
        if (!nearMissInPolicyDir(e.name)) this.policy(s, path, e.name, DIRECTORY_READ, out);
        else for (const child of e.children ?? []) if (YAMLISH.test(child)) out.nearMisses.push(makeFinding(`${path}/${child}`, 'file/near-miss', nearMissInPolicyDir(`${e.name}/${child}`)!, FILE_START));
        continue;
      }
      const miss = nearMissInPolicyDir(e.name);
      if (miss) {
        if (YAMLISH.test(e.name) || e.type === 'symlink') out.nearMisses.push(makeFinding(path, 'file/near-miss', miss, FILE_START));
        continue;
      }
      const name = e.name.slice(0, -'.yaml'.length);
      const read: ReadResult =
        e.type === 'symlink'
          ? SYMLINK_READ
          : e.type === 'submodule'
            ? { ok: false, ruleId: 'file/unreadable', message: 'the policy path is a git submodule, not a file: sts-policy predicts `trust_policy_invalid`' }
            : (e.read ?? { ok: false, ruleId: 'file/unreadable', message: 'the file was not read' });
      this.policy(s, path, name, read, out);
      if (name !== 'default' && name.toLowerCase() === 'default' && !names.has('default.yaml'))
        out.nearMisses.push(makeFinding(path, 'file/near-miss', `STS's default policy is \`default.yaml\` (lowercase); \`${e.name}\` is read only by an integration that sets \`policy_name: ${name}\`. Names are case-sensitive: rename it to \`default.yaml\``, FILE_START));
    }
  }

  private policy(s: RepoSnapshot, path: string, name: string, read: ReadResult, out: RepoAudit): void {
    if (this.opts.policyName && name !== this.opts.policyName) return;
    if (!read.ok) {
      out.policies.push({ name, path, valid: false, findings: readPolicy(path, name, read).findings, ignored: [] });
      return;
    }
    const config = s.settings?.config ?? this.opts.config;
    const trusted = auditTrustedOwners(s, this.opts.trustedOwners ?? this.opts.config.owners);
    const key = `${name}\u0000${trusted.join(',')}\u0000${this.configId(config)}\u0000${read.text}`;
    let memo = this.memo.get(key);
    if (!memo) {
      const validated = readPolicy(path, name, read).validated!;
      const { findings, ignored } = checkPolicy(validated, { config, trustedOwners: trusted, ignores: this.opts.ignores });
      memo = { validated, findings, ignored, valid: !findings.some(isValidityError) };
      this.memo.set(key, memo);
    }
    const file: PolicyFileAudit = {
      name,
      path,
      valid: memo.valid,
      validated: memo.validated.path === path ? memo.validated : { ...memo.validated, path },
      findings: memo.findings.map((f) => (f.path === path ? f : { ...f, path })),
      ignored: memo.ignored.map((f) => (f.path === path ? f : { ...f, path })),
    };
    out.policies.push(file);
  }
}

/** Trusted owners for a repo: those given, else its own settings' (config `owners`, else origin's owner), else its owner. */
export function auditTrustedOwners(s: RepoSnapshot, given: readonly string[] | undefined): readonly string[] {
  return given ?? s.settings?.trustedOwners ?? [s.repo.split('/')[0]!];
}

/** Every finding of an audit, in repo order: near misses, then each policy's findings. */
export function auditFindings(a: RepoAudit): Finding[] {
  return [...a.nearMisses, ...a.policies.flatMap((p) => p.findings)];
}
