// `sts-policy explore`: an interactive explorer of trust policies for a caller you edit live. It
// refuses to run without a terminal (pointing at `simulate`) before Ink or React is ever loaded.
import { POLICY_NAME_PATTERN } from '../model.js';
import { colorEnabled } from '../report/colors.js';
import { inert } from '../report/inert.js';
import { planSources } from '../tui/sources.js';
import { formFromClaims, type ClaimsForm } from '../tui/claims-form.js';
import { readClaims } from './claims-input.js';
import { sharedSubjectTemplate } from '../lint/config.js';
import { EXIT, UsageError } from './errors.js';

export interface ExploreOptions {
  claims?: string;
  policyName?: string;
  gitRef?: string;
}

export const NOT_A_TTY =
  'explore is interactive and needs a terminal (stdin and stdout must be a TTY). In CI or a pipe, use `sts-policy simulate`, e.g. sts-policy simulate --subject repo:OWNER/REPO:ref:refs/heads/main --source OWNER/REPO=DIR';

/** The claims editor's starting form from `--claims FILE` (a claims JSON, or a JWT decoded locally). */
export function claimsForm(file: string): ClaimsForm {
  const input = readClaims({ claims: file }, () => '');
  const jwt = input.notes.some((n) => n.includes('JWT'));
  return formFromClaims(input.claims, `from ${file}${jwt ? ' (a JWT: decoded locally, not verified)' : ''}`);
}

export async function runExplore(paths: string[], opts: ExploreOptions): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    process.stderr.write(`sts-policy: ${NOT_A_TTY}\n`);
    return EXIT.usage;
  }
  if (opts.policyName !== undefined && !POLICY_NAME_PATTERN.test(opts.policyName))
    throw new UsageError(`--policy-name ${JSON.stringify(opts.policyName)} is not a policy name: 1 to 64 letters, digits, \`-\` or \`_\``);
  if (opts.claims === '-') throw new UsageError('--claims -: stdin is the terminal here; give a claims JSON or JWT file');
  const form = opts.claims ? claimsForm(opts.claims) : undefined;
  const targets = paths.length ? paths : ['.'];
  const plan = planSources(targets, opts.policyName, opts.gitRef);
  if (plan.errors.length) {
    for (const e of plan.errors) process.stderr.write(`sts-policy: ${e}\n`);
    return EXIT.usage;
  }
  // Named before the UI takes the screen, so a cut walk is never silent.
  for (const m of plan.notSearched) process.stderr.write(`sts-policy: warning: ${inert(m)}\n`);
  if (!plan.sources.length) {
    const what = opts.policyName ? `no ${opts.policyName}.yaml policy nor repository` : 'no policy file nor repository';
    process.stderr.write(`sts-policy: ${what} found in ${targets.join(', ')} (looked for .atmos/pro/sts/<name>.yaml)\n`);
    return EXIT.usage;
  }
  // Ink renders only the last frame when it believes it runs in CI; this is a terminal (checked above).
  for (const k of ['CI', 'CONTINUOUS_INTEGRATION']) if (k in process.env) process.env[k] = '0';
  const { runExploreUi } = await import('../tui/run.js');
  // Subjects typed in follow the template the sources' settings share, as lint reads them.
  const subjectTemplate = sharedSubjectTemplate(plan.sources.map((s) => s.path));
  return runExploreUi({ plan: plan.sources, form, subjectTemplate, color: colorEnabled(process.stdout) });
}
