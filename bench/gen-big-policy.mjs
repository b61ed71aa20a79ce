// Generates one deterministic org-wide policy of many rules (20,000 by default, just under the
// 1 MiB file limit) for the lint bench: the rule shapes of gen-tree.mjs over one organisation's
// repositories (with a few neighbour orgs), one flow mapping per rule, some grants.
//
//   node bench/gen-big-policy.mjs [file] [rules]    # standalone use
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { rng, ruleTemplates, templatePicker } from './gen-tree.mjs';

const SEED = 0x18b0_2026;
const GRANTS = ['contents: write', 'pull_requests: write', 'issues: write', 'deployments: write', 'packages: read', 'checks: write'];

/** The policy's text: `rules` rules, deterministic for a given count. */
export function bigPolicyText(rules = 20_000) {
  const r = rng(SEED);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const hex = () => Array.from({ length: 40 }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
  const template = templatePicker(ruleTemplates(pick, hex), r);
  const repos = Math.max(10, Math.round(rules / 4));
  // Quoted only where a flow scalar needs it (a leading indicator, `:`, `,`, brackets, `\\`).
  const q = (s) => (/^[A-Za-z0-9][^:,[\]{}#\\"]*$/.test(s) ? s : `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  const lines = ['apiVersion: atmos-pro.com/v1alpha1', 'kind: TrustPolicy', 'metadata:', '  name: default', 'spec:', '  rules:'];
  for (let i = 0; i < rules; i++) {
    const owner = r() < 0.9 ? 'acme' : `acme-${pick(['data', 'labs', 'ops'])}`;
    const repo = `s${Math.floor(r() * repos)}`;
    // Most rules name one repository, as the bulk of a large org's policy does.
    const match = r() < 0.7 ? { repository: { glob: `${owner}/${repo}` } } : template()(owner, repo);
    const claims = Object.entries(match).map(([claim, m]) => `${claim}: ${m.regex ? `{regex: ${q(m.regex)}}` : q(m.glob)}`);
    lines.push(`  - match: {${claims.join(', ')}}`);
    if (r() < 0.15) lines.push(`    permissions: {${pick(GRANTS)}}`);
  }
  return lines.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? new URL('../.bench/big-policy/.atmos/pro/sts/default.yaml', import.meta.url).pathname;
  mkdirSync(dirname(file), { recursive: true });
  const text = bigPolicyText(Number(process.argv[3] ?? 20_000));
  writeFileSync(file, text);
  console.log(`${file}: ${Buffer.byteLength(text)} bytes`);
}
