// The GitHub App permission data, the schema built from it, and the committed schema agree with
// each other and with GitHub's own types; the names are checked at compile time by `tsc --noEmit`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { components } from '@octokit/openapi-types';
import { describe, expect, expectTypeOf, it } from 'vitest';
import data from '../src/data/app-permissions.json' with { type: 'json' };
import { buildSchema, type JsonSchema } from '../scripts/schema-source.mjs';
import { CLAIM_NAMES, LEVELS, PERMISSION_NAMES, SCHEMA_URL } from '../src/index.js';
import { SENSITIVE_PERMISSIONS, sensitivePermission } from '../src/validate/permissions.js';
import { ROOT } from './helpers/cli.js';

type DataPermissionName = keyof typeof data.permissions;
type GitHubPermissionName = keyof components['schemas']['app-permissions'];

/** True only when A and B are the same type (mutual assignability is not enough for `any`). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;

// Fails `tsc --noEmit` when a name is added to or removed from either side.
export type PermissionNamesMatchGitHub = Assert<Equal<DataPermissionName, GitHubPermissionName>>;

const SCHEMA_PATH = join(ROOT, 'schemas/trust-policy.v1alpha1.json');
const committedText = readFileSync(SCHEMA_PATH, 'utf8');
const committed = JSON.parse(committedText) as JsonSchema;
const names = Object.keys(data.permissions);

const permissionsSchema = committed.definitions?.rule?.properties?.permissions;
const matchSchema = committed.definitions?.rule?.properties?.match;

describe('app-permissions.json and GitHub\'s app-permissions type', () => {
  it('hold the same permission names (also checked by tsc)', () => {
    expectTypeOf<DataPermissionName>().toEqualTypeOf<GitHubPermissionName>();
    expect(names.length).toBeGreaterThan(30);
    expect(names).toContain('contents');
    expect(names).toContain('pull_requests');
    expect(names).not.toContain('pull-requests');
  });

  it('offers each permission a non-empty subset of read, write, admin, with a description', () => {
    for (const [name, p] of Object.entries(data.permissions)) {
      expect(p.levels.length, name).toBeGreaterThan(0);
      for (const level of p.levels) expect(LEVELS, `${name}: ${level}`).toContain(level);
      expect(p.description.length, name).toBeGreaterThan(10);
    }
  });

  it('is what the validator knows as PERMISSION_NAMES', () => {
    expect([...PERMISSION_NAMES]).toEqual(names);
  });
});

describe('the sensitive permissions (permissions/escalation, diff --fail-on escalation)', () => {
  it('are derived from the generated list: secrets, workflows, administration, hooks, members, runners and every org-level permission', () => {
    for (const name of ['secrets', 'dependabot_secrets', 'organization_secrets', 'workflows', 'administration', 'organization_administration', 'repository_hooks', 'organization_hooks', 'members', 'organization_self_hosted_runners', 'organization_personal_access_tokens', 'actions', 'environments'])
      expect(sensitivePermission(name), name).toBeDefined();
    for (const name of names.filter((n) => /organi[sz]ation/.test(n) || /secret/.test(n) || /hooks|runners/.test(n))) expect(SENSITIVE_PERMISSIONS, name).toContain(name);
    for (const name of ['contents', 'issues', 'pull_requests', 'metadata', 'checks', 'statuses']) expect(sensitivePermission(name), name).toBeUndefined();
    expect(SENSITIVE_PERMISSIONS.every((n) => names.includes(n))).toBe(true);
  });

  it('secret-bearing permissions count from read, the others from write', () => {
    expect(sensitivePermission('dependabot_secrets')?.level).toBe('read');
    expect(sensitivePermission('organization_secrets')?.level).toBe('read');
    expect(sensitivePermission('members')?.level).toBe('write');
  });
});

describe('the committed schema', () => {
  it('defines exactly the data\'s permission names, each with the levels read, write, admin', () => {
    const props = permissionsSchema?.properties ?? {};
    expect(Object.keys(props)).toEqual(names);
    for (const [name, p] of Object.entries(props)) {
      expect(p.type, name).toBe('string');
      expect(p.enum, name).toEqual(['read', 'write', 'admin']);
    }
    expect(permissionsSchema?.additionalProperties).toBe(false);
  });

  it('has not drifted from buildSchema()', () => {
    expect(committedText).toBe(JSON.stringify(buildSchema(), null, 2) + '\n');
  });

  it(`has the $id ${SCHEMA_URL}`, () => {
    expect(committed.$id).toBe('https://atmos-pro.com/schemas/v1alpha1/trust-policy.json');
    expect(committed.$id).toBe(SCHEMA_URL);
  });

  it('describes every property', () => {
    const undescribed: string[] = [];
    const walk = (node: JsonSchema, at: string): void => {
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (!child.description?.trim()) undescribed.push(`${at}/properties/${key}`);
        walk(child, `${at}/properties/${key}`);
      }
      for (const [key, child] of Object.entries(node.definitions ?? {})) walk(child, `${at}/definitions/${key}`);
      if (node.items) walk(node.items, `${at}/items`);
    };
    walk(committed, '#');
    expect(undescribed).toEqual([]);
    // The walk reached the leaves: nine claims, their `regex`, every permission.
    expect(JSON.stringify(committed).match(/"description"/g)?.length).toBeGreaterThan(9 + 9 + names.length);
  });

  it('matches exactly the nine claims', () => {
    const claims = ['subject', 'repository', 'repository_owner', 'ref', 'ref_type', 'actor', 'workflow_ref', 'environment', 'sha'];
    expect(Object.keys(matchSchema?.properties ?? {})).toEqual(claims);
    expect([...CLAIM_NAMES]).toEqual(claims);
    expect(matchSchema?.additionalProperties).toBe(false);
    expect(matchSchema?.minProperties).toBe(1);
  });
});
