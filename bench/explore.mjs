#!/usr/bin/env node
// The `explore` keystroke bench: 200 generated policies are read, linted and compiled once, then a
// caller is typed key by key (a subject, an actor, a burst of Backspaces) and each keystroke's
// work is timed: the form edit, re-evaluating the policies whose claims changed, and tracing the
// policy on screen (bar: under 16 ms, one frame at 60 Hz). Rendering the frame's lines is reported
// beside it, without a bar.
//
//   node bench/explore.mjs            # alone: prints the table, exit 1 if the bar fails
//   import { exploreSection } from './explore.mjs'   # in bench/run.mjs: append it to SECTIONS
//
// It bundles the TypeScript sources it measures (src/tui) with esbuild into .bench/, so it needs
// no build of its own and measures the same code the CLI ships.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BENCH_DIR, ROOT, envInt, figure, formatTable, log, round, stats } from './lib.mjs';

const BAR_MS = 16;

/** Bundles the explorer's modules (sources, session, form, frame) into one importable file. */
async function loadExplorer() {
  mkdirSync(BENCH_DIR, { recursive: true });
  const outfile = join(BENCH_DIR, 'explore-bench.mjs');
  await build({
    stdin: {
      contents: [
        "export { planSources, loadSource } from './src/tui/sources.ts';",
        "export { ExploreSession } from './src/tui/session.ts';",
        "export { emptyForm, editClaim, formClaims } from './src/tui/claims-form.ts';",
        "export { initialState } from './src/tui/state.ts';",
        "export { buildFrame } from './src/tui/view.ts';",
        "export { theme } from './src/tui/theme.ts';",
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: { js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return import(`${pathToFileURL(outfile).href}?t=${Date.now()}`);
}

/** `count` repos, each with a policy of four rules of the usual shapes (globs, a regex, permissions). */
function generatePolicies(dir, count) {
  rmSync(dir, { recursive: true, force: true });
  for (let i = 0; i < count; i++) {
    const owner = i % 10 === 0 ? 'acme' : `org${i}`;
    const repo = join(dir, `org${i}`, `repo${i}`);
    mkdirSync(join(repo, '.atmos/pro/sts'), { recursive: true });
    writeFileSync(
      join(repo, '.atmos/pro/sts/default.yaml'),
      [
        '# yaml-language-server: $schema=https://atmos-pro.com/schemas/v1alpha1/trust-policy.json',
        'apiVersion: atmos-pro.com/v1alpha1',
        'kind: TrustPolicy',
        'metadata:',
        '  name: default',
        'spec:',
        '  rules:',
        '    - match:',
        `        repository: "${owner}/infra-${i}"`,
        '        ref: "refs/heads/main"',
        '    - match:',
        `        repository_owner: "${owner}"`,
        '        environment: "production"',
        '      permissions:',
        '        contents: read',
        '        pull_requests: write',
        '    - match:',
        `        subject: "repo:${owner}/app-*:ref:refs/tags/v*"`,
        '    - match:',
        `        repository: { regex: "${owner}/(svc|lib)-[a-z0-9-]+" }`,
        '        actor: "deploy-bot[bot]"',
        '',
      ].join('\n'),
    );
  }
}

/** The keystrokes of a person filling in a caller: a subject, then an actor, then a burst of Backspaces. */
function keystrokes() {
  const keys = [];
  for (const ch of 'repo:acme/app-service:ref:refs/tags/v1.2.3') keys.push(['sub', { kind: 'text', text: ch }]);
  for (const ch of 'deploy-bot[bot]') keys.push(['actor', { kind: 'text', text: ch }]);
  for (let i = 0; i < 6; i++) keys.push(['sub', { kind: 'backspace' }]);
  return keys;
}

export async function runExploreBench({ policies = envInt('BENCH_EXPLORE_POLICIES', 200), rounds = envInt('BENCH_EXPLORE_ROUNDS', 5) } = {}) {
  const x = await loadExplorer();
  const dir = join(BENCH_DIR, 'explore-policies');
  generatePolicies(dir, policies);
  const t0 = performance.now();
  const entries = x.planSources([dir]).sources.map(x.loadSource);
  const loadMs = performance.now() - t0;
  if (entries.length !== policies || entries.some((e) => e.status !== 'valid')) throw new Error(`expected ${policies} valid policies, got ${entries.filter((e) => e.status === 'valid').length} of ${entries.length}`);
  const session = new x.ExploreSession(entries);
  const model = { entries, session };
  const t = x.theme(true);
  const size = { columns: 100, rows: 30 };
  const evalMs = [];
  const frameMs = [];
  let minted = 0;
  for (let r = 0; r < rounds; r++) {
    let form = x.emptyForm();
    for (const [claim, ev] of keystrokes()) {
      const a = performance.now();
      form = x.editClaim(form, claim, ev);
      const claims = x.formClaims(form);
      const results = session.results(claims);
      session.explain(0, claims);
      const b = performance.now();
      x.buildFrame({ model, session, state: { ...x.initialState(form), pane: 'claims' }, claims, results, size, theme: t });
      const c = performance.now();
      evalMs.push(b - a);
      frameMs.push(c - b);
      minted = results.filter((res) => res.outcome === 'minted').length;
    }
  }
  const e = stats(evalMs);
  const f = stats(frameMs);
  const p95 = (v) => [...v].sort((p, q) => p - q)[Math.min(v.length - 1, Math.floor(v.length * 0.95))];
  return {
    figures: [
      figure(`evaluation per keystroke, p95 (${policies} policies)`, p95(evalMs), 'ms', { op: '<', limit: BAR_MS }),
      figure('evaluation per keystroke, median', e.median, 'ms'),
      figure('evaluation per keystroke, max', e.max, 'ms'),
      figure('frame lines per keystroke, median', f.median, 'ms'),
      figure(`read + lint + compile ${policies} policies (once)`, loadMs, 'ms'),
    ],
    details: { policies, rounds, keystrokes: evalMs.length, evaluation: e, frame: f, loadMs: round(loadMs), evaluations: session.evaluations, mintedAtEnd: minted },
  };
}

/** The section for bench/run.mjs's SECTIONS list. */
export const exploreSection = {
  name: 'explore-keystroke',
  description: '`explore`: evaluation per keystroke over 200 generated policies (compiled once)',
  run: () => runExploreBench(),
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  log(`> ${exploreSection.name}: ${exploreSection.description}`);
  const out = await runExploreBench();
  console.log(formatTable([{ section: exploreSection.name, figures: out.figures }]));
  process.exitCode = out.figures.some((fig) => fig.bar && !fig.bar.pass) ? 1 : 0;
}
