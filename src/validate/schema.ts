// Runs the precompiled v1alpha1 schema validator and turns its errors into one located problem per
// mistake: an ajv `oneOf`-style cascade for one typo is collapsed by the data's actual shape.
import validate from '../generated/policy-validator.cjs';
import { CLAIM_NAMES, API_VERSION, KIND, LEVELS } from '../model.js';
import { PERMISSION_NAMES } from './permissions.js';
import { didYouMean } from './suggest.js';
import type { PathSegment } from '../load/yaml.js';

export interface SchemaProblem {
  ruleId: string;
  message: string;
  path: PathSegment[];
  /** Point at the key of `path` rather than its value (unknown keys, null values). */
  at: 'key' | 'value';
  /** Replacement text for the pointed node, when the fix is certain. */
  replacement?: string;
}

export function schemaProblems(data: unknown): SchemaProblem[] {
  if (validate(data)) return [];
  const problems: SchemaProblem[] = [];
  const claimed = new Set<string>();
  // Errors at or under a path already reported with a type error add nothing.
  const typeBroken: string[] = [];
  const errors = [...(validate.errors ?? [])].sort((a, b) => rank(a.keyword) - rank(b.keyword));
  for (const e of errors) {
    const path = parsePointer(e.instancePath);
    const ptr = e.instancePath;
    if (typeBroken.some((p) => ptr === p || ptr.startsWith(p + '/'))) continue;
    const p = describe(e.keyword, e.params, path, valueAt(data, path));
    if (!p) continue;
    if (e.keyword === 'type') typeBroken.push(ptr);
    const key = `${p.ruleId}|${p.path.join('/')}`;
    if (!claimed.has(key)) {
      claimed.add(key);
      problems.push(p);
    }
  }
  return problems;
}

const rank = (keyword: string) => (keyword === 'type' ? 0 : 1);

function describe(keyword: string, params: Record<string, unknown>, path: PathSegment[], value: unknown): SchemaProblem | undefined {
  const where = pathName(path);
  const parent = path[path.length - 1];
  const grand = path[path.length - 2];
  const inMatch = path.length === 5 && path[0] === 'spec' && grand === 'match';
  if (path.length === 6 && path[3] === 'match' && parent === 'regex') return matcherProblem(path.slice(0, 5), value && { regex: value });
  switch (keyword) {
    case 'type': {
      if (path.length === 0) return { ruleId: 'schema/not-a-mapping', message: `the document is ${kindOf(value)}, not a mapping: a policy is a mapping with apiVersion, kind, metadata and spec (is a space missing after a colon?)`, path, at: 'value' };
      if (inMatch) return matcherProblem(path, value);
      if (parent === 'rules') return { ruleId: 'schema/empty-rules', message: value === null ? '`spec.rules` is empty: list at least one rule with a `match`' : `\`spec.rules\` must be a list of rules, not ${kindOf(value)}`, path, at: 'key' };
      if (parent === 'match') return { ruleId: 'schema/empty-match', message: value === null ? `\`${where}\` is empty: name at least one claim (an empty match never matches)` : `\`${where}\` must be a mapping of claim names to matchers, not ${kindOf(value)}`, path, at: 'key' };
      if (parent === 'permissions') return { ruleId: 'schema/empty-permissions', message: value === null ? `\`${where}\` is empty: remove it for the read-only default, or list permissions such as \`contents: read\`` : `\`${where}\` must be a mapping of permission names to levels, not ${kindOf(value)}`, path, at: 'key' };
      if (grand === 'permissions') return levelProblem(path, value);
      if (parent === 'apiVersion') return { ruleId: 'schema/api-version', message: `\`apiVersion\` must be the string \`${API_VERSION}\`, not ${kindOf(value)}`, path, at: 'value', replacement: API_VERSION };
      if (parent === 'kind') return { ruleId: 'schema/kind', message: `\`kind\` must be the string \`${KIND}\`, not ${kindOf(value)}`, path, at: 'value', replacement: KIND };
      if (parent === 'name' && path[0] === 'metadata') return { ruleId: 'schema/metadata-name', message: `\`metadata.name\` must be a string (the file name), not ${kindOf(value)}`, path, at: value === null ? 'key' : 'value' };
      return { ruleId: 'schema/wrong-type', message: `\`${where}\` must be ${params.type === 'array' ? 'a list' : params.type === 'object' ? 'a mapping' : `a ${String(params.type)}`}, not ${kindOf(value)}`, path, at: value === null ? 'key' : 'value' };
    }
    case 'required': {
      const missing = String(params.missingProperty);
      const full = [...path, missing];
      if (path.length === 0 && missing === 'apiVersion') return { ruleId: 'schema/api-version', message: `\`apiVersion\` is missing: add \`apiVersion: ${API_VERSION}\``, path, at: 'value' };
      if (path.length === 0 && missing === 'kind') return { ruleId: 'schema/kind', message: `\`kind\` is missing: add \`kind: ${KIND}\``, path, at: 'value' };
      if (missing === 'name' && path[0] === 'metadata') return { ruleId: 'schema/metadata-name', message: '`metadata.name` is missing: add `name:` with the file name', path, at: 'key' };
      if (missing === 'rules') return { ruleId: 'schema/empty-rules', message: '`spec.rules` is missing: list at least one rule with a `match`', path, at: 'key' };
      if (missing === 'match') return { ruleId: 'schema/empty-match', message: `rule ${Number(parent) + 1} has no \`match\`: every rule needs a \`match\` naming at least one claim`, path, at: 'value' };
      if (inMatch && missing === 'regex') return matcherProblem(path, value);
      return { ruleId: 'schema/missing-key', message: `\`${pathName(full)}\` is missing`, path, at: path.length ? 'key' : 'value' };
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const at = [...path, extra];
      if (parent === 'match' && path[0] === 'spec') {
        const unsupported = UNMATCHABLE_CLAIMS[extra];
        if (unsupported) return { ruleId: 'schema/unknown-claim', message: `\`${extra}\` is a GitHub token claim, but trust policies cannot match it: ${unsupported}`, path: at, at: 'key' };
        const hint = extra === 'sub' ? 'subject' : didYouMean(extra, CLAIM_NAMES);
        return { ruleId: 'schema/unknown-claim', message: `unknown claim \`${extra}\`${hint ? `: did you mean \`${hint}\`?` : ''} The claims are ${CLAIM_NAMES.join(', ')} (exact, lowercase)`, path: at, at: 'key', replacement: hint };
      }
      if (parent === 'permissions') {
        const hint = didYouMean(extra, PERMISSION_NAMES);
        return { ruleId: 'schema/unknown-permission', message: `\`${extra}\` is not a GitHub App permission${hint ? `: did you mean \`${hint}\`?` : ''}`, path: at, at: 'key', replacement: hint };
      }
      if (inMatch) return matcherProblem(path, value);
      const allowed = allowedKeys(path);
      const hint = allowed && didYouMean(extra, allowed);
      return { ruleId: 'schema/unknown-key', message: `unknown key \`${extra}\` in ${path.length ? `\`${where}\`` : 'the document'}${hint ? `: did you mean \`${hint}\`?` : '.'}${allowed ? ` Allowed: ${allowed.join(', ')}` : ''}`, path: at, at: 'key', replacement: hint };
    }
    case 'enum': {
      if (parent === 'apiVersion') return { ruleId: 'schema/api-version', message: `\`apiVersion\` must be exactly \`${API_VERSION}\`, not \`${String(value)}\``, path, at: 'value', replacement: API_VERSION };
      if (parent === 'kind') return { ruleId: 'schema/kind', message: `\`kind\` must be exactly \`${KIND}\` (case included), not \`${String(value)}\``, path, at: 'value', replacement: KIND };
      if (grand === 'permissions') return levelProblem(path, value);
      return undefined;
    }
    case 'minItems':
      return { ruleId: 'schema/empty-rules', message: '`spec.rules` is empty: list at least one rule with a `match`', path, at: 'key' };
    case 'minProperties':
      if (parent === 'match') return { ruleId: 'schema/empty-match', message: `\`${where}\` is empty: name at least one claim (an empty match never matches)`, path, at: 'key' };
      return { ruleId: 'schema/empty-permissions', message: `\`${where}\` is empty: remove it for the read-only default, or list permissions such as \`contents: read\``, path, at: 'key' };
    case 'pattern':
      return { ruleId: 'schema/metadata-name', message: `\`metadata.name\` \`${String(value)}\` is not a policy name: use 1 to 64 letters, digits, \`-\` or \`_\` (the file name without .yaml)`, path, at: 'value' };
    default:
      return { ruleId: 'schema/wrong-type', message: `\`${where}\`: ${keyword} constraint failed`, path, at: 'value' };
  }
}

/** Token claims people try to match that STS policies do not support, with what to do instead. */
const UNMATCHABLE_CLAIMS: Record<string, string> = {
  job_workflow_ref: 'to pin a reusable workflow, customise the `sub` template to include `job_workflow_ref` and match it with `subject`',
  iss: 'the issuer is always GitHub Actions and is enforced by STS',
  aud: 'the audience is checked by STS itself',
  event_name: 'match `subject` (`repo:OWNER/REPO:pull_request`) or `ref` (`refs/pull/*/merge`) instead',
  repository_id: 'match `repository`, or the immutable `subject` form `repo:OWNER@ID/REPO@ID:...`',
  repository_owner_id: 'match `repository_owner`, or the immutable `subject` form `repo:OWNER@ID/REPO@ID:...`',
  workflow: 'the workflow name is free text; match `workflow_ref` instead',
  head_ref: 'match `ref` (`refs/pull/N/merge` for pull requests) instead',
  base_ref: 'match `ref` instead',
};

function matcherProblem(path: PathSegment[], value: unknown): SchemaProblem {
  const claim = String(path[4]);
  const base = { ruleId: 'schema/invalid-matcher', path, at: 'value' as const };
  if (value === null) return { ...base, at: 'key', message: `the matcher for \`${claim}\` is empty: write a pattern in quotes, e.g. \`${claim}: "..."\`` };
  if (typeof value === 'number' || typeof value === 'boolean')
    return { ...base, message: `the matcher for \`${claim}\` is the ${typeof value} ${String(value)}, not a string: quote it: \`${claim}: "${String(value)}"\``, replacement: JSON.stringify(String(value)) };
  if (Array.isArray(value)) return { ...base, message: `the matcher for \`${claim}\` is a list: a matcher is one string or \`{regex: "..."}\`; for alternatives write one rule each, or a regex \`a|b\`` };
  const keys = Object.keys(value as object);
  if (keys.includes('regex') && typeof (value as { regex: unknown }).regex !== 'string')
    return { ...base, message: `\`regex\` for \`${claim}\` must be a string: quote the pattern` };
  return { ...base, message: `the matcher for \`${claim}\` must be a string or a mapping with exactly one key \`regex\`; found key(s) ${keys.map((k) => `\`${k}\``).join(', ') || 'none'}` };
}

function levelProblem(path: PathSegment[], value: unknown): SchemaProblem {
  const name = String(path[path.length - 1]);
  const hint = typeof value === 'string' ? didYouMean(value, LEVELS) : undefined;
  return {
    ruleId: 'schema/invalid-level',
    message: `\`${name}: ${String(value)}\` is not a level: use \`read\`, \`write\` or \`admin\` (exact, lowercase)${hint ? `; did you mean \`${hint}\`?` : ''}`,
    path,
    at: value === null ? 'key' : 'value',
    replacement: hint,
  };
}

function allowedKeys(path: PathSegment[]): string[] | undefined {
  const shape = path.map((s) => (typeof s === 'number' ? '#' : s)).join('/');
  return ({ '': ['apiVersion', 'kind', 'metadata', 'spec'], metadata: ['name'], spec: ['rules'], 'spec/rules/#': ['match', 'permissions'] } as Record<string, string[]>)[shape];
}

function kindOf(v: unknown): string {
  if (v === null) return 'empty (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `the ${typeof v} ${String(v)}`;
}

function pathName(path: PathSegment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i ? `.${s}` : s)).join('');
}

function parsePointer(ptr: string): PathSegment[] {
  if (!ptr) return [];
  return ptr
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

function valueAt(data: unknown, path: PathSegment[]): unknown {
  let v = data;
  for (const s of path) v = v === null || typeof v !== 'object' ? undefined : (v as Record<string, unknown>)[s as string];
  return v;
}
