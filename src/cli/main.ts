// The `sts-policy` command line: thin commands that parse flags, call the library, pick a reporter.
// Each command's module is imported only when it runs, so `lint` never pays for Ink or refa.
import { Command, CommanderError, Option } from 'commander';
import { UsageError, EXIT } from './errors.js';
import { GitError } from '../load/git.js';
import { VERSION } from '../version.js';
import { inert } from '../report/inert.js';
import { collect, parseConcurrency, parseCount } from './options.js';
import { colorFlags } from './color-flags.js';

// `sts-policy rules | head`: a reader that closes the pipe early is not a failure.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });

const program = new Command('sts-policy')
  .description('Lint, validate, simulate, test and diff Atmos Pro STS trust policies (.atmos/pro/sts/<name>.yaml).')
  .version(VERSION, '-v, --version')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .addHelpText('after', '\nColour: only on a terminal; --color (or FORCE_COLOR=1) forces it, --no-color (or NO_COLOR) turns it off, for any command.\nExit codes: 0 ok, 1 findings (or a failed expectation), 2 usage error or nothing to check, 3 internal failure.');

program
  .command('lint')
  .description('Validate trust policies against the v1alpha1 schema and report located findings.')
  .argument('[paths...]', 'files, repository roots, folders of clones, or - for a policy on stdin (default: .)')
  .addOption(new Option('-f, --format <format>', 'output format').choices(['stylish', 'json', 'sarif', 'github']).default('stylish'))
  .option('-o, --output <file>', 'write the report to a file instead of stdout')
  .option('--max-warnings <n>', 'exit 1 when there are more than n warnings', parseCount)
  .option('--quiet', 'report errors only')
  .option('--allow-empty', 'exit 0 when no policy file is found')
  .option('-c, --config <file>', "settings for every linted file (default: each repository's own .sts-policy.yaml)")
  .option('--no-ignores', 'disregard `# sts-policy-ignore` comments')
  .option('--fix', 'apply safe fixes in place, then report what remains')
  .option('--fix-unsafe', 'also apply unsafe fixes (they may change who can mint: review the diff)')
  .option('--fix-dry-run', 'print a unified diff of what --fix (or --fix-unsafe) would change; write nothing')
  .option('--stdin-filename <path>', 'the path of the policy read from stdin (`-`): its name and its repository\'s settings (default: .atmos/pro/sts/default.yaml)')
  .option('--concurrency <n>', 'worker threads: a number, `auto` (one per core but one, at least one, from 300 files) or `off` (main thread)', parseConcurrency, 'auto')
  .addHelpText(
    'after',
    `
Examples:
  sts-policy lint                      # the repository in the current directory
  sts-policy lint ~/src/acme           # every clone under a folder
  sts-policy lint --format sarif -o sts.sarif
  sts-policy lint --fix-dry-run        # show the safe fixes as a diff
  sts-policy lint --config ci/.sts-policy.yaml
  cat ci.yaml | sts-policy lint - --stdin-filename .atmos/pro/sts/ci.yaml

Settings: .sts-policy.yaml at the repository root (the nearest folder with .git or .atmos):
  owners: [acme]                 # trusted owners (default: the owner of the origin remote in .git/config)
  subjectTemplate: [repo, context]   # your org's OIDC include_claim_keys
  rules: {security/any-owner: error, style/schema-header: off}

Ignore a finding with a reason, on its line or alone on the line above:
  # sts-policy-ignore security/any-owner -- public read-only modules, by design
Validity findings (file/*, yaml/*, schema/*) cannot be ignored: STS would answer trust_policy_invalid.`,
  )
  .action(async (paths: string[], opts) => {
    const { runLint } = await import('./lint.js');
    process.exitCode = await runLint(paths, opts);
  });

program
  .command('simulate')
  .description("Predict STS's answer (minted, trust_policy_denied, no_trust_policy, trust_policy_invalid, not_installed_in_workspace) for a caller, repo by repo, and explain every no.")
  .option('--claims <file>', 'token claims: a JSON object (as decoded from a GitHub OIDC token) or a raw JWT; - for stdin')
  .option('--subject <sub>', "a subject (default format, or the subjectTemplate the sources' .sts-policy.yaml share); repository, owner, ref, ref_type and environment are derived from it")
  .option('--claim <name=value>', 'add or override a claim (repeatable), e.g. --claim actor=octocat', collect)
  .option('--source <owner/repo=dir>', 'a source repo and its checkout (repeatable)', collect)
  .option('--workspace <dir>', 'every DIR/<owner>/<repo> checkout is a source repo')
  .option('--repo <owner/repo>', "request only these repos, like the integration's repos list (repeatable)", collect)
  .option('--policy-name <name>', 'the policy_name the integration requests', 'default')
  .option('--git-ref <ref>', 'read policies from this git revision instead of the working tree')
  .option('--installed <repos>', 'comma-separated repos where the App is installed; the rest are not_installed_in_workspace', collect)
  .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
  .option('--expect <outcome>', 'exit 1 unless every requested repo gets this outcome (minted, denied, no_trust_policy, invalid, not_installed)')
  .addHelpText('after', `
Examples:
  sts-policy simulate --subject repo:acme/infra:ref:refs/heads/main --source acme/modules=.
  sts-policy simulate --claims token.json --workspace ~/src --format json
  sts-policy simulate --subject repo:acme/app:environment:prod --claim ref=refs/heads/main --source acme/modules=. --expect minted

Assumptions (sts-policy's, where the vendor docs are silent): the first matching rule decides the grant;
a minted token always carries metadata: read; an absent claim never matches, not even "*".`)
  .action(async (opts) => {
    const { runSimulate } = await import('./simulate.js');
    process.exitCode = runSimulate(opts);
  });

program
  .command('test')
  .description('Run policy unit tests (.atmos/pro/sts/tests/<policy>.test.yaml): each case gives a caller and the expected outcome.')
  .argument('[paths...]', 'test files, repositories, or folders of clones (default: .)')
  .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'junit']).default('text'))
  .option('-o, --output <file>', 'write the report to a file instead of stdout')
  .option('--coverage', 'list rules and matchers no case exercises')
  .option('--coverage-threshold <percent>', 'exit 1 when coverage is below this percentage', parseCount)
  .option('--allow-empty', 'exit 0 when no test file is found')
  .action(async (paths: string[], opts) => {
    const { runTests } = await import('./test.js');
    process.exitCode = runTests(paths, opts);
  });

/** Shared by diff and pr-check, which judge access changes alike. */
const FAIL_ON_LEVELS = `--fail-on levels (an undecided diff always counts):
  wider       any new access or higher grant (the default for pr-check)
  escalation  a higher grant for a caller that had access, or new access that reaches write/admin
              or a sensitive permission (secrets from read; workflows, administration, hooks,
              runners, org-level permissions from write); read-only new access does not count
  any-change  any change that is not equivalent, narrower ones included
`;

program
  .command('diff')
  .description('Exact access diff of trust policies: who gains or loses access, or a higher grant, with a witness claim set for each.')
  .argument('[paths...]', 'OLD NEW (files or directories), or with --base the repository (default .)')
  .option('--base <rev>', 'compare policies at this git revision...')
  .option('--head <rev>', '...with this revision (default: the working tree)')
  .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
  .addOption(new Option('--fail-on <what>', 'exit 1 when access widened, escalated, or changed at all').choices(['wider', 'escalation', 'any-change']))
  .option('-c, --config <file>', "lint settings whose subjectTemplate shapes every subject (default: the repository's own .sts-policy.yaml)")
  .addHelpText('after', `
Examples:
  sts-policy diff old/default.yaml .atmos/pro/sts/default.yaml
  sts-policy diff --base origin/main --fail-on wider
${FAIL_ON_LEVELS}Access is judged in the worst case (sts-policy's assumption): a caller gets the union of every matching rule's grant.`)
  .action(async (paths: string[], opts) => {
    const { runDiff } = await import('./diff.js');
    process.exitCode = runDiff(paths, opts);
  });

program
  .command('pr-check')
  .description("Gate a pull request's trust-policy changes: lint the new versions, diff access, and require a code owner's approval (CODEOWNERS of the base revision) for every change that widens access.")
  .option('--base <rev>', 'offline: compare from this revision (approvals are then not checked)...')
  .option('--head <rev>', '...to this one')
  .option('--repo <dir>', 'the git repository', '.')
  .option('--api-url <url>', 'GitHub API URL (default: $GITHUB_API_URL, else https://api.github.com)')
  .option('--token-env <name>', 'environment variable holding the GitHub token', 'GITHUB_TOKEN')
  .option('--comment', 'create or update one pull request comment with the report')
  .addOption(new Option('--fail-on <what>', 'which access changes need a code owner approval').choices(['wider', 'escalation', 'any-change']).default('wider'))
  .option('--allow-stale-approvals', 'count approvals given on earlier commits of the pull request')
  .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
  .addHelpText('after', `
In a GitHub Actions pull_request job it reads $GITHUB_EVENT_PATH, $GITHUB_REPOSITORY and the token, checks
reviews through the API, appends a job summary to $GITHUB_STEP_SUMMARY and annotates policy lines.
Check out with fetch-depth: 0 so base and head commits are both present.
Exit 1: a changed policy is invalid or has error findings, a policy path has no code owner, or access
widened (--fail-on) without a code owner's approval on the head commit, or the pull request adds an
ignore comment or changes .sts-policy.yaml without that approval (ignores and settings come from the
base revision). Exit 3: the GitHub API failed (reviews, team membership); a comment the token may not
write (a fork's read-only token) is only a warning: the summary and annotations carry the report.
${FAIL_ON_LEVELS}
Examples:
  sts-policy pr-check --comment                       # in a pull_request job, env GITHUB_TOKEN set
  sts-policy pr-check --base origin/main --head HEAD  # offline: approvals are not checked`)
  .action(async (opts) => {
    const { runPrCheck } = await import('./pr-check.js');
    process.exitCode = await runPrCheck(opts);
  });

program
  .command('rules')
  .description('List every rule (validation and lint): id, default severity, category, fixable, description and docs page.')
  .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
  .action(async (opts) => {
    const { runRules } = await import('./rules.js');
    process.exitCode = runRules(opts);
  });

program
  .command('init')
  .description('Write the tightest policy for one caller (.atmos/pro/sts/<name>.yaml) and its unit tests (.atmos/pro/sts/tests/<name>.test.yaml).')
  .requiredOption('--repo <owner/repo>', 'the calling repository, e.g. acme/infra')
  .option('--ref <ref>', 'the caller\'s full git ref, e.g. refs/heads/main (required unless --environment)')
  .option('--environment <env>', 'the GitHub Environment the caller\'s job runs in, e.g. production')
  .option('--permission <name=level>', 'grant a GitHub App permission (repeatable), e.g. --permission pull_requests=write; default: contents: read', collect)
  .option('--name <name>', 'the policy name', 'default')
  .option('--dir <dir>', 'the source repository\'s checkout', '.')
  .option('--force', 'overwrite existing files')
  .addHelpText('after', `
Examples:
  sts-policy init --repo acme/infra --ref refs/heads/main
  sts-policy init --repo acme/platform --environment production --permission contents=read --permission pull_requests=write

With --environment the policy matches the repository and the environment (and the ref too when --ref is given).`)
  .action(async (opts) => {
    const { runInit } = await import('./init.js');
    process.exitCode = runInit(opts);
  });

program
  .command('explore')
  .description('Interactive explorer (a terminal UI): edit a caller\'s claims and watch every policy\'s predicted outcome, rule by rule, live.')
  .argument('[paths...]', 'files, repository roots, or folders of clones (default: .)')
  .option('--claims <file>', 'start from these claims: a JSON object or a raw JWT (decoded locally, never shown)')
  .option('--policy-name <name>', 'the policy_name the integration requests; repos without it show no_trust_policy')
  .option('--git-ref <ref>', 'read policies from this git revision of each checkout instead of the working tree (as simulate --git-ref)')
  .addHelpText('after', '\nNeeds a terminal; in CI or a pipe use `sts-policy simulate`. Press ? inside for every key.')
  .action(async (paths: string[], opts) => {
    const { runExplore } = await import('./explore.js');
    process.exitCode = await runExplore(paths, opts);
  });

program
  .command('audit')
  .description("Audit every source repo of an org (its default branch's .atmos/pro/sts/): inventory, lint findings, an access map of who may mint with which permissions, and, for a caller, STS's predicted answer per repo.")
  .option('--org <org>', 'every repository of this GitHub organization')
  .option('--repo <owner/repo>', 'only these repositories (repeatable; REPO alone with --org)', collect)
  .option('--workspace <dir>', 'audit local clones DIR/<owner>/<repo> (working trees) instead of GitHub: no network')
  .option('--caller <sub>', "predict STS's answer for this caller's default-format subject, e.g. repo:acme/app:ref:refs/heads/main")
  .option('--claims <file>', 'predict for these token claims: a JSON object or a raw JWT (decoded, never verified); - for stdin')
  .option('--claim <name=value>', 'add or override a caller claim (repeatable)', collect)
  .option('--policy-name <name>', 'audit only this policy name (predictions use it; default: every policy is audited, predictions use default)')
  .addOption(new Option('-f, --format <format>', 'output format (graph: the access map as JSON nodes and edges)').choices(['text', 'json', 'markdown', 'sarif', 'graph']).default('text'))
  .option('-o, --output <file>', 'write the report to a file instead of stdout')
  .option('--cache-dir <dir>', "keep each repo's policy folder keyed by its default-branch commit: a re-run reads only repos that changed (the cache holds policy texts; it is written 0600)")
  .option('--token-env <name>', 'read the token from this environment variable (default: GITHUB_TOKEN, then GH_TOKEN)')
  .option('--api-url <url>', 'GitHub API URL (default https://api.github.com); for GitHub Enterprise Server https://HOST/api/v3')
  .option('-c, --config <file>', 'lint settings (trusted owners, subject template, rule severities) for every policy')
  .option('--trusted-owner <owner>', "an owner whose callers are not cross-owner (repeatable; default: each source repo's own owner)", collect)
  .option('--no-progress', 'no progress on stderr')
  .option('--no-ignores', 'disregard `# sts-policy-ignore` comments in the policies')
  .option('--retries <n>', 'retries per request for 5xx answers, network errors, timeouts and rate limits', '4')
  .option('--retry-base-ms <ms>', "the unit of waiting: retry n backs off (n+1)^2 units; a server's retry-after or rate-limit reset of S seconds waits S units", '1000')
  .option('--request-timeout <seconds>', 'time limit of one request attempt', '30')
  .option('--max-wait <seconds>', 'longest wait for a primary rate-limit reset; beyond it the remaining repos are reported unknown', '3600')
  .option('--concurrency <n>', "GraphQL requests in flight at once (GitHub asks for few: more risks its secondary rate limit)", '2')
  .option('--batch-size <n>', 'repositories per GraphQL request (at most 100)', '50')
  .addHelpText('after', `
Examples:
  GITHUB_TOKEN=... sts-policy audit --org acme
  sts-policy audit --org acme --format markdown >> "$GITHUB_STEP_SUMMARY"
  sts-policy audit --org acme --caller repo:acme/app:ref:refs/heads/main --format json
  sts-policy audit --org acme --cache-dir ~/.cache/sts-policy --format sarif -o audit.sarif
  sts-policy audit --workspace ~/src --org acme

Reads each repo's default branch with a few GraphQL requests for a whole org (aliases, 100 repos
per listing page); the report counts the API requests made. A repo that could not be read is
"unknown", never "no policy". Exit codes: 0 ok, 1 error findings, 2 usage error (or a bad token,
or no such org), 3 partial result (some repo or the repo list could not be read; what was read is
still reported).

Assumptions (sts-policy's, where the vendor docs are silent): archived repos are audited like any
other; a disabled repo cannot be read (by sts-policy or STS); --workspace takes each clone's working
tree for its default branch; predictions use the first matching rule's grant plus metadata: read,
and the access map assumes the worst case (every matching rule's grant).`)
  .action(async (opts) => {
    const { runAuditCommand } = await import('./audit.js');
    process.exitCode = await runAuditCommand(opts);
  });

program
  .command('schema')
  .description('Print the v1alpha1 trust-policy JSON schema (for editors and other validators).')
  .action(async () => {
    const { runSchema } = await import('./schema.js');
    process.exitCode = runSchema();
  });

/** A failure's message and exit code: usage errors (and a revision or repository git cannot read) are the caller's, anything else is ours. */
function fail(e: unknown): void {
  if (e instanceof CommanderError) process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  else if (e instanceof UsageError || e instanceof GitError) {
    process.stderr.write(`sts-policy: ${inert(e.message)}\n`);
    process.exitCode = EXIT.usage;
  } else {
    process.stderr.write(`sts-policy: internal error: ${inert(e instanceof Error ? e.message : String(e))}\n`);
    if (process.env.STS_POLICY_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exitCode = EXIT.internal;
  }
}

program.parseAsync(colorFlags(process.argv)).catch(fail);
