#!/usr/bin/env node
// The sts-policy bench: a list of named sections, each a function returning figures (some held
// against a bar). `npm run bench` builds first; this script measures whatever dist/ holds.
//
//   node bench/run.mjs                 # every section
//   node bench/run.mjs cold-start      # only the named sections, in the order given
//   node bench/run.mjs --list          # the section names
//
// Output: a table on stdout (progress on stderr) and a JSON summary in .bench/results.json (one
// entry per section, merged with the entries of sections not run this time). Exit status: 0 when
// every bar passed, 1 when a bar failed or a section threw, 2 on a usage error.
//
// Adding a section: append `section(name, description, async (ctx) => ({ figures, details }))` to
// SECTIONS below. `figures` is a list of `figure(name, value, unit, bar?)` (bench/lib.mjs), where
// `bar` is `{ op: '<' | '<=' | '>' | '>=', limit }`; `details` is anything JSON for results.json.
// Timings are never asserted in tests; bars live here only.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { BENCH_DIR, CLI, ROOT, envInt, expectStatus, figure, formatTable, log, newestMtime, round, stats, timeRun } from './lib.mjs';
import { ensureTree } from './gen-tree.mjs';
import { bigPolicyText } from './gen-big-policy.mjs';
import { chunkReport } from './modules.mjs';
import { engineSections } from './engine.mjs';
import { exploreSection } from './explore.mjs';
import { auditSection } from './audit.mjs';
import { tokenSections } from './token-model.mjs';

const NODE = process.execPath;
const VALID_POLICY = 'fixtures/examples/acme/terraform-modules/.atmos/pro/sts/default.yaml';

/** Rule ids of schema validation (what the generated defects trigger), as opposed to lint rules. */
const VALIDATION_RULE = /^(file|yaml|schema)\/|^permissions\/unsupported-level$/;

const section = (name, description, run) => ({ name, description, run });

const SECTIONS = [
  section('cold-start', '`lint` of one valid policy vs `node -e 0`, alternated, median wall time', async () => {
    const runs = envInt('BENCH_RUNS', 21);
    const lint = () => expectStatus(timeRun(NODE, [CLI, 'lint', VALID_POLICY]), [0], 'lint of the valid policy');
    const bare = () => expectStatus(timeRun(NODE, ['-e', '0']), [0], 'node -e 0');
    // Warm the page cache and the binary, then alternate (ABAB, BABA, ...) so drift hits both.
    for (let i = 0; i < 2; i++) (lint(), bare());
    const lintMs = [];
    const bareMs = [];
    for (let i = 0; i < runs; i++) {
      if (i % 2) (lintMs.push(lint().ms), bareMs.push(bare().ms));
      else (bareMs.push(bare().ms), lintMs.push(lint().ms));
    }
    const l = stats(lintMs);
    const b = stats(bareMs);
    const ratio = l.median / b.median;
    return {
      figures: [
        figure('lint median', l.median, 'ms'),
        figure('node -e 0 median', b.median, 'ms'),
        figure('lint - node (median)', l.median - b.median, 'ms'),
        figure('ratio lint / node', ratio, 'x', { op: '<=', limit: 1.5 }),
        figure('noise: node -e 0 IQR', b.iqrPct, '%'),
        figure('noise: node -e 0 min..max', b.max - b.min, 'ms'),
      ],
      details: { runs, file: VALID_POLICY, lint: l, node: b, ratio: round(ratio, 3) },
    };
  }),

  section('lint-10k', '`lint --format json` over a generated tree of 10,000 policy files', async () => {
    const count = envInt('BENCH_FILES', 10_000);
    const runs = envInt('BENCH_LINT_RUNS', 3);
    const dir = join(BENCH_DIR, 'tree');
    const manifest = ensureTree(dir, count);
    log(`  tree: ${count} files in .bench/tree (${manifest.reused ? 'cached' : `generated in ${manifest.generatedMs} ms`}; ${manifest.invalid} invalid, ${manifest.warnings} with a warning)`);
    const times = [];
    const cpu = [];
    let maxRssKiB = 0;
    let findings;
    const cpuFile = join(BENCH_DIR, `cpu-${process.pid}.json`);
    const probe = pathToFileURL(join(ROOT, 'bench', 'cpu-probe.mjs')).href;
    for (let i = 0; i < runs; i++) {
      // Exit 1 is expected: the tree holds invalid files. Time the process; check its report.
      // The probe (loaded with --import) only records the process's own CPU time at exit.
      const r = expectStatus(timeRun(NODE, ['--import', probe, CLI, 'lint', '--format', 'json', '.bench/tree'], { env: { ...process.env, BENCH_CPU_FILE: cpuFile } }), [1], 'lint of the tree');
      const usage = JSON.parse(readFileSync(cpuFile, 'utf8'));
      rmSync(cpuFile, { force: true });
      cpu.push(usage.userMs + usage.systemMs);
      maxRssKiB = Math.max(maxRssKiB, usage.maxRssKiB);
      const report = JSON.parse(r.stdout);
      // Each generated defect yields one validation error (some leave the policy `valid` for STS);
      // lint rules' findings (other rule ids) are counted, not checked.
      const filesWith = (pred) => new Set(report.findings.filter(pred).map((f) => f.path)).size;
      const defective = filesWith((f) => f.severity === 'error' && VALIDATION_RULE.test(f.ruleId));
      const warned = filesWith((f) => f.ruleId === 'regex/go-version-dependent');
      if (report.summary.files !== count || defective !== manifest.invalid || warned !== manifest.warnings)
        throw new Error(`lint report disagrees with the generator: ${report.summary.files} files, ${defective} with validation errors, ${warned} with regex/go-version-dependent; expected ${count}, ${manifest.invalid}, ${manifest.warnings}`);
      findings = report.summary;
      times.push(r.ms);
      log(`  run ${i + 1}/${runs}: ${round(r.ms / 1000, 2)} s wall, ${round(cpu.at(-1) / 1000, 2)} s cpu, load ${loadavg()[0].toFixed(2)}`);
    }
    const s = stats(times);
    const c = stats(cpu);
    return {
      figures: [
        figure('median wall time', s.median / 1000, 's', { op: '<', limit: 5 }),
        figure('throughput', count / (s.median / 1000), 'files/s'),
        figure('wall min..max', (s.max - s.min) / 1000, 's'),
        figure('median cpu (user+sys)', c.median / 1000, 's'),
        figure('peak rss', maxRssKiB / 1024, 'MiB'),
      ],
      details: { files: count, runs, wallMs: s, cpuMs: c, maxRssKiB, findings, tree: manifest, command: 'node dist/cli.cjs lint --format json .bench/tree' },
    };
  }),

  section('lint-20k-rules', '`lint --format json` of one generated org policy of 20,000 rules, just under the 1 MiB limit', async () => {
    const rules = envInt('BENCH_POLICY_RULES', 20_000);
    const runs = envInt('BENCH_LINT_RUNS', 3);
    const file = join(BENCH_DIR, 'big-policy', '.atmos', 'pro', 'sts', 'default.yaml');
    const text = bigPolicyText(rules);
    const bytes = Buffer.byteLength(text);
    if (bytes > 1024 * 1024) throw new Error(`the generated policy is ${bytes} bytes, over the 1 MiB limit: lint would refuse it`);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
    const times = [];
    const cpu = [];
    let summary;
    const cpuFile = join(BENCH_DIR, `cpu-${process.pid}.json`);
    const probe = pathToFileURL(join(ROOT, 'bench', 'cpu-probe.mjs')).href;
    for (let i = 0; i < runs; i++) {
      const r = expectStatus(timeRun(NODE, ['--import', probe, CLI, 'lint', '--format', 'json', file], { env: { ...process.env, BENCH_CPU_FILE: cpuFile } }), [0], 'lint of the 20,000-rule policy');
      const usage = JSON.parse(readFileSync(cpuFile, 'utf8'));
      rmSync(cpuFile, { force: true });
      cpu.push(usage.userMs + usage.systemMs);
      times.push(r.ms);
      const report = JSON.parse(r.stdout);
      const byRule = {};
      for (const f of report.findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
      summary = { findings: report.findings.length, byRule, notAnalysed: report.findings.filter((f) => f.ruleId === 'analysis/not-analysed').map((f) => f.message) };
      log(`  run ${i + 1}/${runs}: ${round(r.ms / 1000, 2)} s wall, ${round(cpu.at(-1) / 1000, 2)} s cpu, load ${loadavg()[0].toFixed(2)}`);
    }
    const s = stats(times);
    const c = stats(cpu);
    return {
      figures: [
        figure('policy size', bytes / 1024, 'KiB'),
        figure('median wall time', s.median / 1000, 's', { op: '<', limit: 5 }),
        figure('median cpu (user+sys)', c.median / 1000, 's'),
        figure('findings', summary.findings, ''),
        figure('analysis/not-analysed findings', summary.notAnalysed.length, ''),
      ],
      details: { rules, bytes, runs, wallMs: s, cpuMs: c, ...summary, command: 'node dist/cli.cjs lint --format json .bench/big-policy/.atmos/pro/sts/default.yaml' },
    };
  }),

  section('lint-phases', 'where lint CPU time goes: discover / read / validate on the tree, then each lint rule on a subset', async () => {
    const count = envInt('BENCH_FILES', 10_000);
    const subsetOrgs = Math.max(1, Math.round(envInt('BENCH_RULE_FILES', 1000) / 100));
    ensureTree(join(BENCH_DIR, 'tree'), count);
    const child = (...args) => JSON.parse(expectStatus(timeRun(NODE, [join(ROOT, 'bench', 'lint-phases-child.mjs'), ...args]), [0], `lint-phases ${args[0]}`).stdout);
    const st = child('stages', '.bench/tree');
    log(`  ${st.files} files, cpu ms: discover ${st.discover.cpuMs}, read ${st.read.cpuMs}, validate ${st.validate.cpuMs}; lintPaths with lint rules off ${st.lintRulesOff.cpuMs}`);
    // Per rule, on the first orgs of the tree (one process: warm JIT, so figures are lower bounds).
    const subset = Array.from({ length: Math.min(subsetOrgs, Math.ceil(count / 100)) }, (_, i) => `.bench/tree/org-${i}`);
    const rules = child('rules', ...subset);
    const perRule = rules.perRule.sort((a, b) => b.cpuMs - a.cpuMs);
    const rulesTotal = perRule.reduce((n, r) => n + Math.max(0, r.cpuMs), 0);
    for (const r of perRule) log(`  ${r.id}: ${r.cpuMs} cpu ms on ${rules.files} files`);
    return {
      figures: [
        figure(`discover (${st.files} files), cpu`, st.discover.cpuMs, 'ms'),
        figure('read, cpu', st.read.cpuMs, 'ms'),
        figure('validate (parse + schema), cpu', st.validate.cpuMs, 'ms'),
        figure('lintPaths, lint rules off, cpu', st.lintRulesOff.cpuMs, 'ms'),
        // Each rule's cost standalone (it pays for the matcher NFAs all rules share when run together).
        figure(`lint rules standalone, sum per 1,000 files, cpu`, (rulesTotal * 1000) / rules.files, 'ms'),
        ...perRule.slice(0, 5).map((r) => figure(`  ${r.id}`, (r.cpuMs * 1000) / rules.files, 'ms')),
      ],
      details: { stages: st, subset: { paths: subset, files: rules.files, baseCpuMs: rules.baseCpuMs }, perRule },
    };
  }),

  section('startup-modules', 'what `lint <one file>` loads: bundle files, code cache, built-ins, packages', async () => {
    const r = chunkReport(VALID_POLICY);
    return {
      figures: [
        figure('bundle files loaded', r.loaded.length, ''),
        figure('bundle bytes loaded', r.loadedBytes / 1024, 'KiB'),
        figure('code cache', r.codeCacheBytes / 1024, 'KiB'),
        figure('code cache accepted by this node', r.codeCacheAccepted ? 1 : 0, '', { op: '>=', limit: 1 }),
        figure('bundle files not loaded', r.notLoaded.length, ''),
        figure('built-ins loaded', r.builtins.length, ''),
        figure('packages required at run time', r.required.length, ''),
      ],
      details: r,
    };
  }),
  ...engineSections.map((x) => section(x.name, x.description, x.run)),
  ...tokenSections.map((x) => section(x.name, x.description, x.run)),
  section(exploreSection.name, exploreSection.description, exploreSection.run),
  section(auditSection.name, auditSection.description, auditSection.run),
];

function usage(extra) {
  if (extra) process.stderr.write(`bench: ${extra}\n`);
  process.stderr.write(`usage: node bench/run.mjs [--list] [section...]\nsections: ${SECTIONS.map((s) => s.name).join(', ')}\n`);
  process.exit(2);
}

function gitCommit() {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src', 'scripts'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim();
  return r.status === 0 ? `${r.stdout.trim()}${dirty ? '+dirty' : ''}` : undefined;
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) usage();
  if (args.includes('--list')) {
    for (const s of SECTIONS) console.log(`${s.name.padEnd(18)} ${s.description}`);
    return 0;
  }
  const unknown = args.filter((a) => !SECTIONS.some((s) => s.name === a));
  if (unknown.length) usage(`unknown section ${unknown.join(', ')}`);
  const chosen = args.length ? args.map((a) => SECTIONS.find((s) => s.name === a)) : SECTIONS;

  if (!existsSync(CLI)) usage('dist/cli.cjs is missing: run `node scripts/build.mjs` (or `npm run bench`)');
  const built = newestMtime([join(ROOT, 'dist')]);
  if (newestMtime([join(ROOT, 'src'), join(ROOT, 'scripts')]) > built) log('bench: warning: src/ or scripts/ changed after dist/ was built; `npm run bench` rebuilds first');
  mkdirSync(BENCH_DIR, { recursive: true });

  const machine = { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavgAtStart: loadavg().map((v) => round(v)) };
  log(`bench: node ${machine.node}, ${machine.cpus} cpus, load ${machine.loadavgAtStart.join(' ')}`);
  if (machine.loadavgAtStart[0] > machine.cpus / 2) log('bench: warning: the machine is busy (1-minute load above half the cores): wall times will be noisy; compare the cpu figures');
  const results = [];
  for (const s of chosen) {
    log(`> ${s.name}: ${s.description}`);
    const t0 = performance.now();
    const entry = { section: s.name, description: s.description, ranAt: new Date().toISOString(), commit: gitCommit(), loadavg: loadavg().map((v) => round(v)) };
    try {
      const out = await s.run({ root: ROOT, cli: CLI, benchDir: BENCH_DIR });
      Object.assign(entry, { figures: out.figures, details: out.details ?? {} });
    } catch (e) {
      entry.error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      log(`  error: ${entry.error}`);
    }
    entry.seconds = round((performance.now() - t0) / 1000, 1);
    results.push(entry);
  }

  console.log(formatTable(results));
  const failed = results.filter((r) => r.error || r.figures.some((f) => f.bar && !f.bar.pass));

  const file = join(BENCH_DIR, 'results.json');
  let previous = {};
  try {
    previous = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    /* first run */
  }
  const merged = new Map((previous.sections ?? []).map((s) => [s.section, s]));
  for (const r of results) merged.set(r.section, r);
  const order = SECTIONS.map((s) => s.name);
  const sections = [...merged.values()].sort((a, b) => order.indexOf(a.section) - order.indexOf(b.section));
  const summary = {
    updatedAt: new Date().toISOString(),
    machine: { ...machine, loadavgAtEnd: loadavg().map((v) => round(v)) },
    pass: sections.every((r) => !r.error && r.figures.every((f) => !f.bar || f.bar.pass)),
    sections,
  };
  writeFileSync(file, JSON.stringify(summary, null, 2) + '\n');
  log(`bench: wrote .bench/results.json; ${failed.length ? `FAILED: ${failed.map((r) => r.section).join(', ')}` : 'all bars passed'}`);
  return failed.length ? 1 : 0;
}

process.exitCode = await main();
