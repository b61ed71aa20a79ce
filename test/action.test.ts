// The composite GitHub Action (action.yml) and its example workflow: they parse, reference only
// defined inputs, never splice inputs into script text, run the CLI from the action's own path with
// flags `sts-policy pr-check` accepts, and the example wires the action's inputs correctly.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './helpers/cli.js';
import { action, actionText, type Step } from './helpers/action.js';

interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { 'runs-on': string; permissions?: unknown; steps: Step[] }>;
}

const exampleText = readFileSync(join(ROOT, 'examples/sts-policy-pr-check.yml'), 'utf8');
const example = parseYaml(exampleText) as Workflow;

/** Every `${{ ... }}` expression in a text, trimmed. */
const expressions = (text: string) => [...text.matchAll(/\$\{\{\s*(.*?)\s*\}\}/g)].map((m) => m[1]!);
/** `inputs.NAME` references in expressions (dot or index syntax). */
const inputRefs = (text: string) => expressions(text).flatMap((e) => [...e.matchAll(/\binputs(?:\.([A-Za-z0-9_-]+)|\[\s*'([^']+)'\s*\])/g)].map((m) => m[1] ?? m[2]!));

/** The choices of `pr-check --fail-on`, from the CLI's own help. */
function failOnChoices(): string[] {
  const help = runCli(['pr-check', '--help']).stdout.replace(/\s+/g, ' ');
  const m = /--fail-on <what>.*?\(choices: ([^)]*?), default/.exec(help);
  expect(m, help).not.toBeNull();
  return [...m![1]!.matchAll(/"([^"]+)"/g)].map((x) => x[1]!);
}

describe('action.yml', () => {
  it('is a composite action with the three inputs and their defaults', () => {
    expect(typeof action.name).toBe('string');
    expect(action.description.length).toBeGreaterThan(0);
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs).sort()).toEqual(['comment', 'fail-on', 'token']);
    expect(action.inputs.token!.default).toBe('${{ github.token }}');
    expect(action.inputs.comment!.default).toBe('false');
    expect(action.inputs['fail-on']!.default).toBe('wider');
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.description, name).toBeTruthy();
      expect(input.required ?? false, name).toBe(false);
    }
  });

  it('references only defined inputs, and uses every one', () => {
    const refs = new Set(inputRefs(actionText));
    for (const r of refs) expect(Object.keys(action.inputs), r).toContain(r);
    for (const name of Object.keys(action.inputs)) expect([...refs], name).toContain(name);
    // Expressions elsewhere only read the github context (the token default) and the steps' outputs.
    for (const e of expressions(actionText)) expect(e, e).toMatch(/^(inputs\.[A-Za-z0-9_-]+|github\.token|steps\.(check|sarif)\.outputs\.[a-z-]+)$/);
  });

  it('never splices an expression into script text (inputs go through env)', () => {
    for (const step of action.runs.steps) {
      if (step.run === undefined) continue;
      expect(step.shell, step.name).toBe('bash'); // composite run steps must name a shell
      expect(expressions(step.run), step.name).toEqual([]);
    }
  });

  it('uses no other action and no setup-node (the caller\'s Node stays as it was), installs production dependencies from its own path, and runs its own dist/cli.cjs pr-check', () => {
    const steps = action.runs.steps;
    expect(steps.filter((s) => s.uses)).toEqual([]);
    const install = steps.findIndex((s) => /npm ci --prefix "\$GITHUB_ACTION_PATH" --omit=dev /.test(s.run ?? ''));
    const check = steps.findIndex((s) => s.id === 'check');
    expect([install, check].every((i) => i >= 0)).toBe(true);
    expect(install).toBeLessThan(check);
    expect(steps[check]!.run).toMatch(/node "\$GITHUB_ACTION_PATH\/dist\/cli\.cjs" "\$\{args\[@\]\}"/);
    expect(steps[check]!.run).toMatch(/\bpr-check\b/);
    // dist/ is built by `npm ci` through `prepare`, from production dependencies only.
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    expect(pkg.scripts.prepare).toContain('scripts/build.mjs');
    for (const build of ['esbuild', 'ajv']) expect(Object.keys(pkg.dependencies)).toContain(build);
  });

  it('every output is a step output the steps set', () => {
    for (const [name, o] of Object.entries(action.outputs)) {
      expect(o.description, name).toBeTruthy();
      expect(o.value, name).toMatch(/^\$\{\{ steps\.(check|sarif)\.outputs\.[a-z-]+ \}\}$/);
    }
    expect(Object.keys(action.outputs).sort()).toEqual(['errors', 'needs-approval', 'policies', 'sarif', 'verdict', 'warnings']);
  });

  it('the fail-on input documents exactly the choices pr-check accepts, and the flags exist', () => {
    const choices = failOnChoices();
    expect(choices).toEqual(['wider', 'escalation', 'any-change']);
    expect(choices).toContain(action.inputs['fail-on']!.default);
    for (const c of choices) expect(action.inputs['fail-on']!.description).toContain(c);
    const help = runCli(['pr-check', '--help']).stdout;
    for (const flag of ['--comment', '--fail-on <what>', '--token-env <name>']) expect(help).toContain(flag);
  });

  describe('the check step, run as the runner would', () => {
    const step = action.runs.steps.find((s) => s.id === 'check')!;
    /** The step's env with `${{ inputs.x }}` resolved, as the runner does before starting bash. */
    function run(inputs: Record<string, string>, extraEnv: Record<string, string | undefined> = {}) {
      const values: Record<string, string> = { ...Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? ''])), token: 'ghs_fake_token_for_tests', ...inputs };
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(step.env ?? {})) env[k] = v.replace(/\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}/g, (_, name: string) => values[name] ?? '');
      const base = { ...process.env };
      for (const k of ['GITHUB_EVENT_PATH', 'GITHUB_REPOSITORY', 'GITHUB_TOKEN', 'GITHUB_STEP_SUMMARY', 'GITHUB_ACTIONS']) delete base[k];
      return spawnSync('bash', ['-e', '-c', step.run!], { cwd: ROOT, encoding: 'utf8', env: { ...base, ...env, GITHUB_ACTION_PATH: ROOT, NO_COLOR: '1', ...extraEnv } });
    }

    it('passes flags pr-check accepts: it gets as far as asking for the pull_request event', () => {
      for (const inputs of [{}, { comment: 'true', 'fail-on': 'escalation' }, { 'fail-on': 'any-change' }] as Record<string, string>[]) {
        const r = run(inputs);
        expect(r.status, JSON.stringify(inputs) + r.stderr).toBe(2);
        expect(r.stderr).toContain('GITHUB_EVENT_PATH is not set');
        expect(r.stderr).not.toMatch(/unknown option|error: option/i);
      }
    });

    it('hands the token over by variable name, never on the command line', () => {
      expect(step.run).toContain('--token-env STS_POLICY_TOKEN');
      expect(step.env!.STS_POLICY_TOKEN).toBe('${{ inputs.token }}');
      expect(step.run).not.toMatch(/STS_POLICY_TOKEN"/);
    });

    it('rejects a comment value other than true or false, and a fail-on pr-check does not know', () => {
      const comment = run({ comment: 'yes please' });
      expect(comment.status).toBe(2);
      expect(comment.stdout).toContain('::error');
      const failOn = run({ 'fail-on': 'narrower' });
      expect(failOn.status).toBe(2);
      expect(failOn.stderr).toMatch(/narrower/);
    });

    it('an input cannot inject shell: it stays one argument', () => {
      const r = run({ 'fail-on': 'wider; echo INJECTED' });
      expect(r.stdout + r.stderr).not.toMatch(/^INJECTED$/m);
      expect(r.status).toBe(2);
    });
  });
});

describe('examples/sts-policy-pr-check.yml', () => {
  const job = Object.values(example.jobs)[0]!;
  const usesAction = job.steps.find((s) => /(^|\/)sts-policy@/.test(s.uses ?? ''))!;

  it('runs on pull requests (and reviews, so an approval re-runs it) with least privilege', () => {
    expect(Object.keys(example.on)).toContain('pull_request');
    expect(Object.keys(example.on)).toContain('pull_request_review');
    expect(example.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(Object.keys(example.jobs)).toHaveLength(1);
    expect(job.permissions).toBeUndefined();
  });

  it('pins every third-party action by a full commit SHA, and names a ref of sts-policy that exists', () => {
    for (const s of job.steps.filter((x) => x.uses && x !== usesAction)) expect(s.uses, s.uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
    // No release tag exists: `main` (or a commit of it), never an invented `v0.1.0`.
    const tags = execFileSync('git', ['-C', ROOT, 'tag', '--list'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    const ref = usesAction.uses!.split('@')[1]!;
    expect(ref === 'main' || /^[0-9a-f]{40}$/.test(ref) || tags.includes(ref), ref).toBe(true);
    for (const text of [readFileSync(join(ROOT, 'README.md'), 'utf8'), readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8'), exampleText])
      for (const m of text.matchAll(/(?:sts-policy\/sts-policy@|rev: )([\w.-]+)/g)) expect(m[1] === 'main' || tags.includes(m[1]!), m[0]).toBe(true);
  });

  it('checks out full history before the action', () => {
    const checkout = job.steps.findIndex((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout).toBeGreaterThanOrEqual(0);
    expect(job.steps[checkout]!.with!['fetch-depth']).toBe(0);
    expect(checkout).toBeLessThan(job.steps.indexOf(usesAction));
  });

  it('passes only inputs the action defines, with values it accepts', () => {
    expect(usesAction).toBeDefined();
    const given = usesAction.with ?? {};
    for (const k of Object.keys(given)) expect(Object.keys(action.inputs), k).toContain(k);
    if ('comment' in given) expect(['true', 'false']).toContain(String(given.comment));
    if ('fail-on' in given) expect(failOnChoices()).toContain(given['fail-on']);
    if ('token' in given) expect(given.token).toMatch(/^\$\{\{\s*(github\.token|secrets\.[A-Za-z0-9_]+)\s*\}\}$/);
    // The comment is written with the job token, so the workflow grants pull-requests: write.
    if (String(given.comment) === 'true') expect(example.permissions['pull-requests']).toBe('write');
  });

  it('references only contexts that exist for its events', () => {
    for (const e of expressions(exampleText)) expect(e, e).toMatch(/^(github\.token|github\.event\.pull_request\.number|secrets\.[A-Za-z0-9_]+|steps\.sts-policy\.outputs\.sarif)$/);
  });
});
