// Bench sections for the token model (issue 18): the exact diff of two realistic 500-rule org
// policies (bench/org-policy.mjs), and the share of printed witnesses (lint and diff, JSON) that
// are whole tokens GitHub can issue (src/analysis/token-model.ts `tokenProblem`).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_DIR, CLI, ROOT, expectStatus, figure, timeRun } from './lib.mjs';
import { orgPolicy } from './org-policy.mjs';

const lib = () => import(pathToFileURL(join(ROOT, 'dist/index.mjs')).href);

function writePair(n) {
  const dir = join(BENCH_DIR, `org${n}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'old.yaml'), orgPolicy(n, 'old'));
  writeFileSync(join(dir, 'new.yaml'), orgPolicy(n, 'new'));
  return dir;
}

/** Every witness in a JSON report of lint (`findings[].witness`) or diff (`policies[].gains|losses[].witness`). */
function witnesses(json) {
  const out = [];
  for (const f of json.findings ?? []) if (f.witness) out.push(f.witness);
  for (const p of json.policies ?? []) for (const c of [...p.gains, ...p.losses]) out.push(c.witness);
  return out;
}

export const tokenSections = [
  {
    name: 'diff-500',
    description: '`diff` of two realistic 500-rule org policies (CLI wall time; decided, not undecided)',
    async run() {
      const dir = writePair(500);
      const r = expectStatus(timeRun(process.execPath, [CLI, 'diff', join(dir, 'old.yaml'), join(dir, 'new.yaml'), '--format', 'json']), [0], 'diff');
      const p = JSON.parse(r.stdout).policies[0];
      if (p.verdict === 'undecided') throw new Error(`the 500-rule diff is undecided: ${p.reason}`);
      // In-process CPU time too: on a shared machine the wall time mostly measures the neighbours.
      const { diffAccess, validatePolicyText } = await lib();
      const side = (f) => validatePolicyText('default.yaml', 'default', readFileSync(join(dir, f), 'utf8')).policy;
      const cpu0 = process.cpuUsage();
      diffAccess(side('old.yaml'), side('new.yaml'));
      const cpu = process.cpuUsage(cpu0);
      return {
        figures: [figure('diff of two 500-rule org policies', r.ms / 1000, 's', { op: '<', limit: 2 }), figure('  in-process CPU time (cold)', (cpu.user + cpu.system) / 1e6, 's')],
        details: { ms: r.ms, verdict: p.verdict, gains: p.gains.length, losses: p.losses.length },
      };
    },
  },
  {
    name: 'witness-tokens',
    description: 'share of printed witnesses (lint of every rule fixture and the 500-rule policy, diff of every diff fixture and the 500-rule pair) that are whole tokens',
    async run() {
      const { tokenProblem } = await lib();
      const all = [];
      const lint = (paths) => all.push(...witnesses(JSON.parse(timeRun(process.execPath, [CLI, 'lint', '--format', 'json', ...paths]).stdout)));
      const rulesDir = join(ROOT, 'fixtures/rules');
      for (const rule of readdirSync(rulesDir)) {
        const invalid = join(rulesDir, rule, 'invalid');
        if (existsSync(invalid)) lint(readdirSync(invalid).filter((f) => f.endsWith('.yaml')).map((f) => join(invalid, f)));
      }
      const dir = writePair(500);
      // Linted under its policy name (metadata.name is `default`).
      mkdirSync(join(dir, 'lint'), { recursive: true });
      writeFileSync(join(dir, 'lint', 'default.yaml'), orgPolicy(500, 'old'));
      lint([join(dir, 'lint', 'default.yaml')]);
      const diff = (a, b) => all.push(...witnesses(JSON.parse(timeRun(process.execPath, [CLI, 'diff', a, b, '--format', 'json']).stdout)));
      const diffDir = join(ROOT, 'fixtures/diff');
      for (const c of readdirSync(diffDir)) diff(join(diffDir, c, 'old.yaml'), join(diffDir, c, 'new.yaml'));
      diff(join(dir, 'old.yaml'), join(dir, 'new.yaml'));
      const bad = all.filter((w) => tokenProblem(w) !== undefined);
      return {
        figures: [figure('printed witnesses that are whole tokens', (100 * (all.length - bad.length)) / Math.max(all.length, 1), '%', { op: '>=', limit: 100 }), figure('  witnesses checked', all.length, '')],
        details: { witnesses: all.length, notTokens: bad.slice(0, 10).map((w) => ({ witness: w, problem: tokenProblem(w) })) },
      };
    },
  },
];
