// Predicts Atmos Pro STS's answer for each requested source repo (SPEC.md §3): not installed, no
// policy, invalid policy, denied, or a token, grouped into the server's wire shape. A caller given
// by some claims is answered as given (absent claims absent); when tokens with those claims would
// be answered otherwise, the prediction says how (completions.ts), over the tokens of the subject
// template in the checkout's .sts-policy.yaml (GitHub's default when none), as lint reads it.
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { POLICY_DIR, type Claims, type Finding, type Permissions } from '../model.js';
import { entryAt, readPolicyFile, MAX_POLICY_BYTES } from '../load/read.js';
import { defaultBranch, readFromGit, runGit } from '../load/git.js';
import { linkedPolicyDirMessage, symlinkedPolicyDirPart } from '../load/discover.js';
import { readPolicy, isValidityError, mergeKeyNote } from '../validate/policy.js';
import { compilePolicy, evaluate, type CompiledPolicy, type Evaluation } from '../engine/evaluate.js';
import { dependence, type Dependence } from './completions.js';
import { SettingsResolver } from '../lint/config.js';

export type Outcome = 'minted' | 'trust_policy_denied' | 'no_trust_policy' | 'trust_policy_invalid' | 'not_installed_in_workspace';
export const OUTCOMES: readonly Outcome[] = ['minted', 'trust_policy_denied', 'no_trust_policy', 'trust_policy_invalid', 'not_installed_in_workspace'];

export interface SourceRepo {
  /** `OWNER/REPO` */
  repo: string;
  /** A checkout of it; absent when the repo is known only as not installed. */
  dir?: string;
}

/** What the server finds at the policy path of one source repo. */
export type PolicyRead =
  | { kind: 'missing'; path: string; reason?: string }
  | { kind: 'invalid'; path: string; findings: Finding[] }
  | { kind: 'valid'; path: string; compiled: CompiledPolicy; findings: Finding[] };

export interface RepoPrediction {
  repo: string;
  outcome: Outcome;
  policyPath?: string;
  evaluation?: Evaluation;
  /** Why the policy is invalid (validity errors only). */
  findings?: Finding[];
  /** Caveats a person should read: e.g. the working tree differs from the default branch. */
  notes: string[];
  /** When claims not given would change the answer (a token GitHub issues always has them). */
  dependence?: Dependence;
}

export interface WireToken {
  host: 'github.com';
  owner: string;
  repositories: string[];
  permissions: Permissions;
}

export interface WireResponse {
  tokens: WireToken[];
  excluded: { repo: string; reason: Exclude<Outcome, 'minted'> }[];
}

export interface PredictOptions {
  claims: Claims;
  sources: readonly SourceRepo[];
  policyName: string;
  /** Read policies from this git revision of each checkout instead of the working tree. */
  gitRef?: string;
  /** Repos where the App is installed; every other requested repo is `not_installed_in_workspace`. */
  installed?: ReadonlySet<string>;
}

export function predict(opts: PredictOptions): RepoPrediction[] {
  const cache = new Map<string, PolicyRead>();
  const settings = new SettingsResolver();
  return opts.sources.map((source) => {
    if (opts.installed && !opts.installed.has(source.repo)) return { repo: source.repo, outcome: 'not_installed_in_workspace', notes: [] };
    if (!source.dir) return { repo: source.repo, outcome: 'no_trust_policy', notes: ['no checkout was given for this repo'] };
    const key = `${source.dir}\u0000${opts.gitRef ?? ''}`;
    let read = cache.get(key);
    if (!read) cache.set(key, (read = readSourcePolicy(source.dir, opts.policyName, opts.gitRef)));
    const notes = opts.gitRef ? [] : workingTreeNotes(source.dir, opts.policyName);
    if (read.kind === 'missing') return { repo: source.repo, outcome: 'no_trust_policy', policyPath: read.path, notes: read.reason ? [...notes, read.reason] : notes };
    if (read.kind === 'invalid') return { repo: source.repo, outcome: 'trust_policy_invalid', policyPath: read.path, findings: read.findings, notes };
    notes.push(...mergeKeyNote(read.findings));
    const evaluation = evaluate(read.compiled, opts.claims);
    const depends = dependence(read.compiled, opts.claims, evaluation, settings.forPath(source.dir).config.subjectTemplate);
    return { repo: source.repo, outcome: evaluation.matched ? 'minted' : 'trust_policy_denied', policyPath: read.path, evaluation, notes, ...(depends && { dependence: depends }) };
  });
}

/** The policy STS would read for `name` in a checkout (working tree, or a git revision). */
export function readSourcePolicy(dir: string, name: string, gitRef?: string): PolicyRead {
  const rel = `${POLICY_DIR}/${name}.yaml`;
  const path = join(dir, rel);
  // A linked policy folder may lead outside the repository: never followed (lint and audit report
  // it as a near miss). Git holds no file under a link either, so STS finds no policy there.
  const link = gitRef ? undefined : symlinkedPolicyDirPart(dir);
  if (link) return { kind: 'missing', path, reason: linkedPolicyDirMessage(link) };
  const read = gitRef ? readFromGit(dir, gitRef, rel) : entryAt(path) ? readPolicyFile(path) : 'missing';
  if (read === 'missing') return { kind: 'missing', path };
  const reading = readPolicy(path, name, read);
  if (!reading.policy) return { kind: 'invalid', path, findings: reading.findings.filter(isValidityError) };
  return { kind: 'valid', path, compiled: compilePolicy(reading.policy), findings: reading.findings };
}

/** The server reads the default branch: say so when the working tree's policy differs from it. */
function workingTreeNotes(dir: string, name: string): string[] {
  if (!existsSync(join(dir, '.git'))) return [];
  const rel = `${POLICY_DIR}/${name}.yaml`;
  const branch = defaultBranch(dir);
  if (!branch) return [];
  let committed: Buffer | undefined;
  try {
    committed = runGit(dir, ['show', `${branch}:${rel}`], MAX_POLICY_BYTES + 4096);
  } catch {
    committed = undefined;
  }
  let working: Buffer | undefined;
  try {
    // A link is compared as git stores it (its target text), never followed.
    const path = join(dir, rel);
    working = lstatSync(path).isSymbolicLink() ? Buffer.from(readlinkSync(path)) : readFileSync(path);
  } catch {
    working = undefined;
  }
  if (committed === undefined && working === undefined) return [];
  if (committed && working && committed.equals(working)) return [];
  return [`the working tree's ${rel} differs from the default branch \`${branch}\`, which is what the server reads (pass --git-ref ${branch} to predict from it)`];
}

/** Groups minted repos into tokens as the server does: one per (owner installation, permission set). */
export function toWire(predictions: readonly RepoPrediction[]): WireResponse {
  const tokens: WireToken[] = [];
  const byKey = new Map<string, WireToken>();
  const excluded: WireResponse['excluded'] = [];
  for (const p of predictions) {
    if (p.outcome !== 'minted') {
      excluded.push({ repo: p.repo, reason: p.outcome });
      continue;
    }
    const permissions = p.evaluation!.permissions!;
    const owner = p.repo.split('/')[0]!;
    const key = `${owner}\u0000${JSON.stringify(permissions)}`;
    let token = byKey.get(key);
    if (!token) {
      token = { host: 'github.com', owner, repositories: [], permissions };
      byKey.set(key, token);
      tokens.push(token);
    }
    token.repositories.push(p.repo);
  }
  return { tokens, excluded };
}
