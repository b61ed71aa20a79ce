// A realistic organisation's trust policy of N rules (the kinds of rules real orgs write: owner-wide
// read, per-repository write on main, environment deploys, release tags, bots, team regexes, a
// second org's workflows), and a "new" version with the edits a pull request makes: one rule
// widened, one narrowed, one escalated, one added, one removed, two swapped. Shared by the bench
// and the tests (test/org-policy.test.ts) so the figures and the checks see the same policies.

const HEADER = 'apiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: default\nspec:\n  rules:\n';
const TEAMS = ['identity', 'payments', 'search', 'platform', 'data', 'mobile', 'growth'];

/** Rule i of the old version, as YAML lines under `spec.rules`. */
function rule(i) {
  const team = TEAMS[i % TEAMS.length];
  const svc = `${team}-svc${i}`;
  switch (i % 10) {
    case 0:
      return [`repository: "acme/${team}-*"`, 'ref: "refs/heads/main"'];
    case 1:
      return [`repository: acme/${svc}`, 'ref: refs/heads/main', '@contents: write'];
    case 2:
      return [`subject: "repo:acme/${svc}:environment:production"`, '@contents: write', '@deployments: write'];
    case 3:
      return [`workflow_ref: "acme-data/${svc}/.github/workflows/etl.yml@refs/heads/*"`];
    case 4:
      return [`repository: acme/lib-${i}`, 'ref_type: tag', '@contents: write'];
    case 5:
      return [`subject: "repo:acme/${svc}:ref:refs/heads/main"`];
    case 6:
      return [`repository: { regex: "acme/${team}-(api|web|worker)-${i}" }`, 'environment: "staging*"'];
    case 7:
      return [`repository: acme/${svc}`, 'actor: "renovate[bot]"', '@pull_requests: write', '@contents: write'];
    case 8:
      return [`subject: "repo:acme/${svc}:pull_request"`, '@pull_requests: write'];
    default:
      return [`workflow_ref: "acme/${svc}/.github/workflows/release.yml@refs/tags/v*"`, `repository: acme/${svc}`, '@contents: write'];
  }
}

function render(lines) {
  const match = lines.filter((l) => !l.startsWith('@'));
  const perms = lines.filter((l) => l.startsWith('@'));
  return `    - match:\n${match.map((l) => `        ${l}\n`).join('')}${perms.length ? `      permissions:\n${perms.map((l) => `        ${l.slice(1)}\n`).join('')}` : ''}`;
}

/** The policy text: `old`, or `new` with the edits of one pull request (see the header). */
export function orgPolicy(n, variant = 'old') {
  const rules = [];
  for (let i = 0; i < n; i++) rules.push(rule(i));
  const common = ['repository_owner: acme', 'ref: refs/heads/main'];
  rules.unshift(common);
  if (variant === 'new') {
    rules[1] = ['repository: "acme/*"', 'ref: "refs/heads/main"']; // widened: every team
    rules[3] = [...rules[3].filter((l) => !l.startsWith('@')), '@contents: write', '@deployments: write', '@environments: write']; // escalated
    rules[6] = [rules[6][0], 'ref: refs/heads/main', '@contents: write']; // narrowed: main only
    rules.splice(12, 1); // removed
    rules.push(['repository_owner: acme-labs', 'environment: sandbox']); // added
    [rules[20], rules[21]] = [rules[21], rules[20]]; // reordered
  }
  return HEADER + rules.map(render).join('');
}
