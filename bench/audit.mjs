#!/usr/bin/env node
// The `audit` bench: an org of 1,000 repos served by the test suite's fake GitHub on 127.0.0.1
// (cold cache, warm cache, 10 repos changed), and `audit --workspace` over 1,000 local clones
// generated under .bench/. Reports requests per repo (bar: at most 0.1 on a cold cache) and wall
// times (figures only: timings are noisy and never asserted in tests).
//
//   node bench/audit.mjs            # needs dist/ (node scripts/build.mjs)
//
// bench/run.mjs can run it as a section: import { auditSection } from './audit.mjs' and append
// `section(auditSection.name, auditSection.description, auditSection.run)` to SECTIONS.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BENCH_DIR, CLI, ROOT, figure, formatTable, log, round } from './lib.mjs';

const REPOS = 1000;

/** The fake GitHub is TypeScript (test/helpers): bundle it once into .bench/ to import it here. */
async function loadFake() {
  const out = join(BENCH_DIR, 'fake-github-audit.mjs');
  await build({ entryPoints: [join(ROOT, 'test/helpers/fake-github-audit.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
  return import(`${pathToFileURL(out).href}?t=${Date.now()}`);
}

/** A realistic org: most repos pin their own caller; some are open, invalid, misplaced, archived, empty, disabled, or too large for GraphQL. */
function orgRepos(fake) {
  const { policy, PINNED, POLICY_PATH } = fake;
  const repos = [];
  for (let i = 0; i < REPOS; i++) {
    const name = `svc-${String(i).padStart(4, '0')}`;
    const k = i % 100;
    const own = policy('default', `    - match:\n        repository: "acme/consumer-${i}"\n        ref: "refs/heads/main"\n`);
    if (k < 50) repos.push({ name, files: { [POLICY_PATH]: own, 'README.md': '# svc\n' } });
    else if (k < 58) repos.push({ name, files: { [POLICY_PATH]: policy('default', `    - match:\n        repository_owner: "partner-${k}"\n      permissions:\n        contents: write\n`) } });
    else if (k < 83) repos.push({ name, files: { 'README.md': '# no policy\n' } });
    else if (k < 88) repos.push({ name, files: { [POLICY_PATH]: 'apiVersion: atmos-pro.com/v1\nkind: TrustPolicy\n' } });
    else if (k < 92) repos.push({ name, files: { '.atmos/pro/sts/default.yml': PINNED } });
    else if (k < 95) repos.push({ name, archived: true, files: { [POLICY_PATH]: own } });
    else if (k < 97) repos.push({ name, empty: true });
    else if (k < 98) repos.push({ name, disabled: true, files: { [POLICY_PATH]: own } });
    else if (k < 99) repos.push({ name, files: { [POLICY_PATH]: own, '.atmos/pro/sts/ci.yaml': PINNED.replace('name: default', 'name: ci') } });
    else repos.push({ name, hugeTree: true, files: { [POLICY_PATH]: own } });
  }
  return repos;
}

function runCli(args, env = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
  });
}

async function auditJson(args, env, what) {
  const r = await runCli([...args, '--format', 'json', '--no-progress'], env);
  if (r.code !== 0 && r.code !== 1) throw new Error(`${what} exited ${r.code}\n${r.stderr.slice(0, 2000)}`);
  return { json: JSON.parse(r.stdout), ms: r.ms };
}

export async function runAuditBench() {
  if (!existsSync(CLI)) throw new Error('dist/cli.cjs is missing: run `node scripts/build.mjs` first');
  mkdirSync(BENCH_DIR, { recursive: true });
  const fake = await loadFake();
  const repos = orgRepos(fake);
  const server = new fake.FakeGitHub({ org: 'acme', repos });
  await server.start();
  const cacheDir = join(BENCH_DIR, 'audit-cache');
  rmSync(cacheDir, { recursive: true, force: true });
  const env = { GITHUB_TOKEN: server.token };
  const org = ['audit', '--org', 'acme', '--api-url', server.url];
  try {
    log(`  audit of ${REPOS} repos through the fake GitHub, cold cache`);
    const cold = await auditJson([...org, '--cache-dir', cacheDir], env, 'cold audit');
    const coldRequests = server.count();
    if (coldRequests !== cold.json.requests.total) throw new Error(`the report counts ${cold.json.requests.total} requests, the server saw ${coldRequests}`);
    server.resetLog();
    log('  again, warm cache');
    const warm = await auditJson([...org, '--cache-dir', cacheDir], env, 'warm audit');
    const warmRequests = server.count();
    for (let i = 0; i < 10; i++) server.writeFile(`svc-${String(i * 100).padStart(4, '0')}`, fake.POLICY_PATH, fake.PINNED);
    server.resetLog();
    log('  again, 10 repos changed');
    const changed = await auditJson([...org, '--cache-dir', cacheDir], env, 'audit after changes');
    const changedRequests = server.count();

    const ws = join(BENCH_DIR, 'audit-workspace');
    if (!existsSync(join(ws, 'acme', `svc-${String(REPOS - 1).padStart(4, '0')}`))) {
      log(`  writing ${REPOS} local clones under .bench/audit-workspace`);
      rmSync(ws, { recursive: true, force: true });
      fake.writeClones(ws, 'acme', repos.filter((r) => !r.empty && !r.disabled));
    }
    log(`  audit --workspace over the clones`);
    const local = await auditJson(['audit', '--workspace', ws], {}, 'workspace audit');

    const s = cold.json.summary;
    return {
      figures: [
        figure('cold: API requests', coldRequests, ''),
        figure('cold: requests per repo', coldRequests / REPOS, '', { op: '<=', limit: 0.1 }),
        figure('cold: wall time', cold.ms, 'ms'),
        figure('warm cache: requests per repo', warmRequests / REPOS, ''),
        figure('warm cache: wall time', warm.ms, 'ms'),
        figure('10 repos changed: API requests', changedRequests, ''),
        figure(`workspace (${local.json.repos.length} clones): wall time`, local.ms, 'ms'),
      ],
      details: {
        repos: REPOS,
        summary: s,
        cold: { requests: cold.json.requests, ms: round(cold.ms) },
        warm: { requests: warm.json.requests, ms: round(warm.ms) },
        changed: { requests: changed.json.requests, ms: round(changed.ms) },
        workspace: { repos: local.json.repos.length, ms: round(local.ms), summary: local.json.summary },
      },
    };
  } finally {
    await server.close();
  }
}

export const auditSection = {
  name: 'audit',
  description: '`audit` of a simulated 1,000-repo org (fake GitHub: cold, warm cache, 10 changed) and of 1,000 local clones',
  run: runAuditBench,
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const out = await runAuditBench();
    console.log(formatTable([{ section: 'audit', ...out }]));
    console.log(JSON.stringify(out.details, null, 2));
    process.exitCode = out.figures.every((f) => !f.bar || f.bar.pass) ? 0 : 1;
  } catch (e) {
    log(`bench audit: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  }
}
