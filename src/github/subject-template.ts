// The OIDC subject template GitHub really uses for a repository's tokens (GITHUB-OIDC.md
// "Customized `sub`"; GitHub REST "Actions OIDC"), read through an Octokit-like client: the
// repository's customization (`use_default: true` is GitHub's default; its own keys win), else, for
// a repository that opted in without keys, the organization's. A read that fails is reported with
// the endpoint and the permission it needs, never taken as the default; `subjectTemplate` in the
// lint settings is then the template used (the offline way). When both exist and differ, GitHub's
// wins and the disagreement is reported.
import { DEFAULT_TEMPLATE } from '../analysis/token-model.js';
import type { Policy } from '../model.js';
import type { LintConfig } from '../rules/framework.js';

/** What pr-check's and audit's GitHub clients offer: `request(route, params)` answering `{ data }`, throwing `{ status }` on HTTP errors. */
export interface OctokitLike {
  request(route: string, params: Record<string, string>): Promise<{ data: unknown }>;
}

const ENDPOINTS = {
  org: { route: 'GET /orgs/{org}/actions/oidc/customization/sub', needs: 'the "Administration" organization permission (read), or a classic token with `read:org`' },
  repo: { route: 'GET /repos/{owner}/{repo}/actions/oidc/customization/sub', needs: 'the "Actions" repository permission (read), or a classic token with `repo`' },
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
      const why = typeof status === 'number' ? `HTTP ${status}` : `no answer: ${String((e as Error).message ?? e).slice(0, 200)}`;
      return { ok: false, problem: `could not read ${describe(which, params)} (${why}); the token needs ${ENDPOINTS[which].needs}` };
    }
  }
}

/** The keys, [] when absent, null when not a list of claim keys. */
function claimKeys(v: unknown): string[] | null {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) && v.every((k) => typeof k === 'string' && KEY.test(k)) ? (v as string[]) : null;
}

const describe = (which: keyof typeof ENDPOINTS, params: Record<string, string>) => `\`${ENDPOINTS[which].route.replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? k)}\``;

const show = (t: readonly string[] | undefined) => `[${(t ?? DEFAULT_TEMPLATE).join(', ')}]`;

/**
 * The template to analyse `repo`'s subjects with: GitHub's when it was read, else the lint
 * settings' (`configured`), else GitHub's default; `warnings` name a failed read or a disagreement.
 */
export function resolveSubjectTemplate(repo: string, configured: readonly string[] | undefined, read: GithubTemplate): { template: string[] | undefined; warnings: string[] } {
  if (!read.ok) return { template: configured && [...configured], warnings: [`${read.problem}: subjects of ${repo} were read with ${configured ? `subjectTemplate ${show(configured)} of the lint settings` : "GitHub's default template, unverified"}`] };
  if (show(configured) === show(read.template) || !configured) return { template: read.template, warnings: [] };
  const from = read.from === 'default' ? "GitHub's default template" : `the ${read.from}'s OIDC customization`;
  return { template: read.template, warnings: [`subjectTemplate ${show(configured)} of the lint settings disagrees with what GitHub uses for ${repo}: ${show(read.template)} (${from}); subjects were read with GitHub's`] };
}

/** Where GitHub's template for one repository comes from (pr-check and audit, with a token). */
export interface GithubTemplateSource {
  repo: string;
  read(): Promise<GithubTemplate>;
}

/**
 * The lint settings with the template to analyse the repository's policies with, asked of GitHub
 * only when some policy matches `subject` (the template shapes `sub` alone); warnings go to `notes`.
 */
export async function withGithubTemplate(config: LintConfig, policies: readonly (Policy | null | undefined)[], github: GithubTemplateSource | undefined, notes: string[]): Promise<LintConfig> {
  if (!github || !policies.some((p) => p?.rules.some((r) => r.matchers.some((m) => m.claim === 'subject')))) return config;
  const subject = resolveSubjectTemplate(github.repo, config.subjectTemplate, await github.read());
  notes.push(...subject.warnings);
  return { ...config, subjectTemplate: subject.template };
}
