// The OIDC subject template GitHub really uses for a repository's tokens (GITHUB-OIDC.md
// "Customized `sub`"; GitHub REST "Actions OIDC"), read through an Octokit-like client: the
// repository's customization (`use_default: true` is GitHub's default; its own keys win), else, for
// a repository that opted in without keys, the organization's. A read that fails is never taken as
// the default: `subjectTemplate` of the lint settings is then the template used (the offline way),
// and each policy with a `subject` matcher gets an `analysis/subject-template` warning naming the
// endpoint, the HTTP status and the permission to grant. When both exist and differ, GitHub's wins
// and the finding is info.
import { templateKeys, type Finding, type Matcher, type Policy, type Severity } from '../model.js';
import { makeFinding } from '../findings.js';
import { SUBJECT_TEMPLATE } from '../rules/index.js';
import { formatMessage, type LintConfig } from '../rules/framework.js';
import { configure } from '../lint/lint.js';

/** What pr-check's and audit's GitHub clients offer: `request(route, params)` answering `{ data }`, throwing `{ status }` on HTTP errors. */
export interface OctokitLike {
  request(route: string, params: Record<string, string>): Promise<{ data: unknown }>;
}

const ENDPOINTS = {
  org: { route: 'GET /orgs/{org}/actions/oidc/customization/sub', grant: 'the "Administration" organization permission (read) (a classic token needs `read:org`; a job\'s GITHUB_TOKEN cannot have it)' },
  repo: { route: 'GET /repos/{owner}/{repo}/actions/oidc/customization/sub', grant: 'the "Actions" repository permission (read) (a classic token needs `repo`)' },
} as const;

export type GithubTemplate =
  /** `template` undefined: GitHub's default. */
  | { ok: true; template: string[] | undefined; from: 'repository' | 'organization' | 'default' }
  | { ok: false; problem: string };

/** GitHub's claim keys: letters, digits and underscores (REST schema `oidc-custom-sub-repo`). */
const KEY = /^[A-Za-z0-9_]+$/;

/** Reads each repository's template; an organization's is read once, and only when a repository defers to it. */
export class SubjectTemplateReader {
  private readonly orgs = new Map<string, Promise<GithubTemplate>>();

  constructor(private readonly client: OctokitLike) {}

  async forRepo(owner: string, repo: string): Promise<GithubTemplate> {
    const r = await this.get('repo', { owner, repo });
    if (!r.ok) return r;
    const data = r.data as { use_default?: unknown; include_claim_keys?: unknown };
    if (data.use_default === true) return { ok: true, template: undefined, from: 'default' };
    const keys = claimKeys(data.include_claim_keys);
    if (data.use_default !== false || keys === null) return { ok: false, problem: `${describe('repo', { owner, repo })} answered ${JSON.stringify(data).slice(0, 200)}, not \`{use_default, include_claim_keys}\`` };
    if (keys.length) return { ok: true, template: keys, from: 'repository' };
    let org = this.orgs.get(owner);
    if (!org) this.orgs.set(owner, (org = this.forOrg(owner)));
    return org;
  }

  private async forOrg(org: string): Promise<GithubTemplate> {
    const r = await this.get('org', { org });
    if (!r.ok) return r;
    const keys = claimKeys((r.data as { include_claim_keys?: unknown }).include_claim_keys);
    if (keys === null) return { ok: false, problem: `${describe('org', { org })} answered ${JSON.stringify(r.data).slice(0, 200)}, not \`{include_claim_keys}\`` };
    return keys.length ? { ok: true, template: keys, from: 'organization' } : { ok: true, template: undefined, from: 'default' };
  }

  private async get(which: keyof typeof ENDPOINTS, params: Record<string, string>): Promise<{ ok: true; data: unknown } | { ok: false; problem: string }> {
    try {
      return { ok: true, data: (await this.client.request(ENDPOINTS[which].route, params)).data };
    } catch (e) {
      const status = (e as { status?: unknown }).status;
      if (typeof status === 'number') return { ok: false, problem: `${describe(which, params)} answered HTTP ${status}: grant the token ${ENDPOINTS[which].grant}` };
      return { ok: false, problem: `${describe(which, params)} got no answer (${String((e as Error).message ?? e).slice(0, 200)})` };
    }
  }
}

/** The keys, [] when absent, null when not a list of claim keys. */
function claimKeys(v: unknown): string[] | null {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) && v.every((k) => typeof k === 'string' && KEY.test(k)) ? (v as string[]) : null;
}

const describe = (which: keyof typeof ENDPOINTS, params: Record<string, string>) => `\`${ENDPOINTS[which].route.replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? k)}\``;

const show = (t: readonly string[] | undefined) => `[${templateKeys(t).join(', ')}]`;

const MESSAGES = {
  readFailed: 'the subject template GitHub uses for {{repo}} could not be read, so `subject` matchers were analysed with {{used}}, unconfirmed: {{problem}}',
  disagrees: 'GitHub uses the subject template {{github}} for {{repo}} ({{from}}), not subjectTemplate {{configured}} of {{settings}}: `subject` matchers were analysed with GitHub\'s; write `subjectTemplate: {{github}}` there',
};

/** What an `analysis/subject-template` finding says about one repository: a failed read (warning) or a disagreement (info). */
export interface TemplateProblem {
  severity: Severity;
  message: string;
}

/**
 * The template to analyse `repo`'s subjects with: GitHub's when it was read, else the lint
 * settings' (`configured`, from `settings`), else GitHub's default; `problem` names a failed read or a disagreement.
 */
export function resolveSubjectTemplate(repo: string, configured: readonly string[] | undefined, read: GithubTemplate, settings = 'the lint settings'): { template: string[] | undefined; problem?: TemplateProblem } {
  if (!read.ok) {
    const used = configured ? `subjectTemplate ${show(configured)} of ${settings}` : `GitHub's default template ${show(undefined)}`;
    return { template: configured && [...configured], problem: { severity: 'warning', message: formatMessage(MESSAGES.readFailed, { problem: read.problem, repo, used }) } };
  }
  if (show(configured) === show(read.template) || !configured) return { template: read.template };
  const from = read.from === 'default' ? "GitHub's default template" : `the ${read.from}'s OIDC customization`;
  return { template: read.template, problem: { severity: 'info', message: formatMessage(MESSAGES.disagrees, { github: show(read.template), repo, from, configured: show(configured), settings }) } };
}

/** Where GitHub's template for one repository comes from (pr-check and audit, with a token). */
export interface GithubTemplateSource {
  repo: string;
  read(): Promise<GithubTemplate>;
}

/**
 * The lint settings with the template to analyse the repository's policies with, asked of GitHub
 * only when some policy matches `subject` (the template shapes `sub` alone). A failed read or a
 * disagreement is one finding per such policy, at its first `subject` matcher, with the settings'
 * severity for the rule applied; `settings` names where `config` came from.
 */
export async function withGithubTemplate(config: LintConfig, policies: readonly (Policy | null | undefined)[], github: GithubTemplateSource | undefined, settings: string): Promise<{ config: LintConfig; findings: Finding[] }> {
  // A path listed twice (a pull request's two versions) is located in its first listed version that matches `subject`.
  const concerned = new Map<string, Matcher>();
  for (const p of policies) {
    const first = p?.rules.flatMap((r) => r.matchers).find((m) => m.claim === 'subject');
    if (p && first && !concerned.has(p.path)) concerned.set(p.path, first);
  }
  if (!github || !concerned.size) return { config, findings: [] };
  const { template, problem } = resolveSubjectTemplate(github.repo, config.subjectTemplate, await github.read(), settings);
  const findings = problem ? [...concerned].map(([path, m]) => makeFinding(path, SUBJECT_TEMPLATE.id, problem.message, m.keySpan, { severity: problem.severity })) : [];
  return { config: { ...config, subjectTemplate: template }, findings: configure(findings, config) };
}
