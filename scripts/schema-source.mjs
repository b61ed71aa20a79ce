// Builds the v1alpha1 trust-policy JSON schema from the claim table (SPEC.md §2) and the generated
// GitHub App permission data. `scripts/build.mjs` writes it to schemas/ and precompiles a validator.
import { readFileSync } from 'node:fs';

const claims = {
  subject: "The OIDC token's `sub`, e.g. `repo:acme/app:ref:refs/heads/main` (an environment job: `repo:acme/app:environment:prod`; a pull request: `repo:acme/app:pull_request`).",
  repository: '`owner/repo` of the calling repository, e.g. `acme/app`.',
  repository_owner: 'The owner (organization or user) of the calling repository, e.g. `acme`.',
  ref: 'The git ref, fully formed: `refs/heads/main`, `refs/tags/v1`, `refs/pull/7/merge`.',
  ref_type: '`branch` or `tag`.',
  actor: 'The login that triggered the run, e.g. `octocat` or `dependabot[bot]`.',
  workflow_ref: "The calling workflow's ref, e.g. `acme/app/.github/workflows/ci.yml@refs/heads/main`.",
  environment: 'The GitHub Environment of the job, e.g. `production`. Absent when the job has no environment: then this matcher never matches.',
  sha: 'The commit SHA (40 hex digits).',
};

const matcherHelp =
  'A glob string (`*` matches any run of characters including `/` and `:`, `?` exactly one character, everything else is literal; no wildcard means exact match) or `{ regex: "..." }`, an anchored full-string RE2 regular expression. Quote a pattern that starts with `*`.';

export function buildSchema() {
  const data = JSON.parse(readFileSync(new URL('../src/data/app-permissions.json', import.meta.url), 'utf8'));
  const matcher = (claim) => ({
    description: `${claims[claim]} ${matcherHelp}`,
    type: ['string', 'object'],
    properties: { regex: { type: 'string', description: 'An RE2 regular expression that must match the whole claim value, as if written `^(?:...)$`.' } },
    required: ['regex'],
    additionalProperties: false,
  });
  const permission = (name, { levels, description }) => ({
    description: `${description} GitHub offers: ${levels.join(', ')}.`,
    type: 'string',
    enum: ['read', 'write', 'admin'],
  });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://atmos-pro.com/schemas/v1alpha1/trust-policy.json',
    title: 'Atmos Pro STS trust policy (v1alpha1)',
    description: 'Committed at `.atmos/pro/sts/<name>.yaml` in a source repository: which GitHub Actions identities may mint a short-lived token for it, and with which permissions.',
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    additionalProperties: false,
    properties: {
      apiVersion: { description: 'Exactly `atmos-pro.com/v1alpha1`.', type: 'string', enum: ['atmos-pro.com/v1alpha1'] },
      kind: { description: 'Exactly `TrustPolicy`.', type: 'string', enum: ['TrustPolicy'] },
      metadata: {
        description: 'Identifies the policy.',
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: {
            description: 'The file name without `.yaml` (`default` for `.atmos/pro/sts/default.yaml`): 1 to 64 letters, digits, `-` or `_`.',
            type: 'string',
            pattern: '^[A-Za-z0-9_-]{1,64}$',
          },
        },
      },
      spec: {
        description: 'The policy body.',
        type: 'object',
        required: ['rules'],
        additionalProperties: false,
        properties: {
          rules: {
            description: 'The caller must match ANY one rule. The first matching rule in file order decides the grant.',
            type: 'array',
            minItems: 1,
            items: { $ref: '#/definitions/rule' },
          },
        },
      },
    },
    definitions: {
      rule: {
        description: 'A rule: every `match` entry must hold for the caller; then `permissions` are granted.',
        type: 'object',
        required: ['match'],
        additionalProperties: false,
        properties: {
          match: {
            description: 'Claim name -> matcher. The caller must satisfy EVERY entry; at least one entry is required.',
            type: 'object',
            minProperties: 1,
            additionalProperties: false,
            properties: Object.fromEntries(Object.keys(claims).map((c) => [c, matcher(c)])),
          },
          permissions: {
            description: 'Optional GitHub App permissions granted to a matching caller. Without it: `contents: read` (plus the always-present `metadata: read`). Capped by what the Atmos Pro GitHub App holds.',
            type: 'object',
            minProperties: 1,
            additionalProperties: false,
            properties: Object.fromEntries(Object.entries(data.permissions).map(([n, p]) => [n, permission(n, p)])),
          },
        },
      },
    },
  };
}
