// Bench sections for the engine and analysis bars: rule evaluations per second, simulate against
// 1,000 source repos, a 50-rule policy with regexes linted warm, and a diff of two 50-rule policies.
import { mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_DIR, CLI, ROOT, expectStatus, figure, stats, timeRun } from './lib.mjs';

const lib = () => import(pathToFileURL(join(ROOT, 'dist/index.mjs')).href);

/** A 50-rule policy mixing exact pins, globs and regexes (seeded by `variant`; names numbered from `first`). */
export function fiftyRules(variant = 0, first = 0) {
  const rules = [];
  for (let n = 0; n < 50; n++) {
    const i = first + n;
    const k = (n + variant) % 5;
    if (k === 0) rules.push(`    - match:\n        repository: "acme/svc-${i}"\n        ref: "refs/heads/main"`);
    else if (k === 1) rules.push(`    - match:\n        repository: {regex: "acme/(api|web)-${i}"}\n        environment: "prod-${i}"`);
    else if (k === 2) rules.push(`    - match:\n        subject: "repo:acme/team-${i}:ref:refs/tags/v*"`);
    else if (k === 3) rules.push(`    - match:\n        repository_owner: "acme"\n        workflow_ref: {regex: "acme/deploy-${i}/\\\\.github/workflows/[a-z]+\\\\.yml@refs/heads/main"}`);
    else rules.push(`    - match:\n        repository: "acme/lib-${i}-*"\n        ref: {regex: "refs/heads/(main|release/[0-9]+)"}\n      permissions:\n        contents: read\n        pull_requests: write`);
  }
  return `# yaml-language-server: $schema=https://atmos-pro.com/schemas/v1alpha1/trust-policy.json\napiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: default\nspec:\n  rules:\n${rules.join('\n')}\n`;
}

/** A typical policy: 2 to 5 rules pinning callers, some with a grant. */
function smallPolicy(i) {
  const rules = [];
  for (let k = 0; k < 2 + (i % 4); k++)
    rules.push(k % 2 ? `    - match:\n        repository: "acme/svc-${(i + k) % 60}"\n        ref: "refs/heads/main"` : `    - match:\n        repository: "acme/app-${i}-${k}"\n        environment: "production"\n      permissions:\n        contents: read\n        pull_requests: write`);
  return `apiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: default\nspec:\n  rules:\n${rules.join('\n')}\n`;
}

export const engineSections = [
  {
    name: 'evaluate',
    description: 'rule evaluations per second (claim sets x rules) on a compiled 50-rule policy',
    async run() {
      const { validatePolicyText, compilePolicy, firstMatch } = await lib();
      const v = validatePolicyText('bench.yaml', 'default', fiftyRules());
      const compiled = compilePolicy(v.policy);
      const claims = Array.from({ length: 2000 }, (_, i) => ({ sub: `repo:acme/svc-${i % 60}:ref:refs/heads/main`, repository: `acme/svc-${i % 60}`, repository_owner: 'acme', ref: i % 3 ? 'refs/heads/main' : 'refs/heads/dev', ref_type: 'branch' }));
      for (const c of claims) firstMatch(compiled, c);
      const t0 = performance.now();
      let evaluations = 0;
      for (let round = 0; round < 5; round++)
        for (const c of claims) {
          const r = firstMatch(compiled, c);
          evaluations += r < 0 ? compiled.rules.length : r + 1;
        }
      const perSecond = evaluations / ((performance.now() - t0) / 1000);
      return { figures: [figure('rule evaluations per second', perSecond, '/s', { op: '>=', limit: 200_000 })], details: { evaluations } };
    },
  },
  {
    name: 'simulate-1000',
    description: '`simulate --workspace` of one claim set against 1,000 source repos (typical 2-5 rule policies; 1 in 10 has none)',
    async run() {
      const ws = join(BENCH_DIR, 'simulate-ws-v2');
      if (!existsSync(join(ws, 'acme', 'repo-999'))) {
        rmSync(ws, { recursive: true, force: true });
        for (let i = 0; i < 1000; i++) {
          const dir = join(ws, 'acme', `repo-${i}`, '.atmos/pro/sts');
          mkdirSync(dir, { recursive: true });
          if (i % 10 !== 9) writeFileSync(join(dir, 'default.yaml'), smallPolicy(i));
        }
      }
      const r = expectStatus(timeRun(process.execPath, [CLI, 'simulate', '--subject', 'repo:acme/svc-5:ref:refs/heads/main', '--workspace', ws, '--format', 'json']), [0], 'simulate');
      return { figures: [figure('simulate 1,000 repos', r.ms / 1000, 's', { op: '<', limit: 2 })], details: { ms: r.ms } };
    },
  },
  {
    name: 'lint-50-rules',
    description: 'lint rules over a 50-rule policy with regexes, warm (in process, after another policy)',
    async run() {
      const { lintPaths } = await lib();
      const dir = join(BENCH_DIR, 'fifty');
      const variants = [0, 1, 2, 3, 4, 5];
      for (const v of variants) {
        mkdirSync(join(dir, `r${v}`, '.atmos/pro/sts'), { recursive: true });
        // New names in every variant, so no run reuses another's automata or searches.
        writeFileSync(join(dir, `r${v}`, '.atmos/pro/sts/default.yaml'), fiftyRules(v, v * 1000));
      }
      // Warm: each variant is linted after the one before (same code paths, different patterns);
      // the median of the five warm runs steadies the figure on a noisy machine.
      lintPaths([join(dir, 'r0')]);
      const ms = [];
      let findings = 0;
      for (const v of variants.slice(1)) {
        const t0 = performance.now();
        findings = lintPaths([join(dir, `r${v}`)]).findings.length;
        ms.push(performance.now() - t0);
      }
      const s = stats(ms);
      return { figures: [figure('lint of a 50-rule policy (warm, median of 5)', s.median, 'ms', { op: '<', limit: 200 }), figure('  min..max', s.max - s.min, 'ms')], details: { findings, ms: s } };
    },
  },
  {
    name: 'diff-50',
    description: '`diff` of two 50-rule policies with globs and regexes (CLI wall time)',
    async run() {
      const dir = join(BENCH_DIR, 'diff50');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'old.yaml'), fiftyRules(0));
      writeFileSync(join(dir, 'new.yaml'), fiftyRules(1));
      const r = expectStatus(timeRun(process.execPath, [CLI, 'diff', join(dir, 'old.yaml'), join(dir, 'new.yaml'), '--format', 'json']), [0], 'diff');
      return { figures: [figure('diff of two 50-rule policies', r.ms / 1000, 's', { op: '<', limit: 2 })], details: { ms: r.ms } };
    },
  },
];
