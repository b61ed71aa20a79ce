#!/usr/bin/env node
// The `sts-policy` command line: thin commands that parse flags, call the library, pick a reporter.
// Each command's module is imported only when it runs, so `lint` never pays for Ink or refa.
import { Command, CommanderError, Option } from 'commander';
import { UsageError, EXIT } from './errors.js';
import { VERSION } from './version.js';

const program = new Command('sts-policy')
  .description('Lint, validate, simulate, test and diff Atmos Pro STS trust policies (.atmos/pro/sts/<name>.yaml).')
  .version(VERSION, '-v, --version')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .addHelpText('after', '\nExit codes: 0 ok, 1 findings (or a failed expectation), 2 usage error or nothing to check, 3 internal failure.');

program
  .command('lint')
  .description('Validate trust policies against the v1alpha1 schema and report located findings.')
  .argument('[paths...]', 'files, repository roots, or folders of clones (default: .)')
  .addOption(new Option('-f, --format <format>', 'output format').choices(['stylish', 'json', 'sarif', 'github']).default('stylish'))
  .option('-o, --output <file>', 'write the report to a file instead of stdout')
  .option('--max-warnings <n>', 'exit 1 when there are more than n warnings', parseCount)
  .option('--quiet', 'report errors only')
  .option('--allow-empty', 'exit 0 when no policy file is found')
  .addHelpText('after', '\nExamples:\n  sts-policy lint                      # the repository in the current directory\n  sts-policy lint ~/src/acme           # every clone under a folder\n  sts-policy lint --format sarif -o sts.sarif')
  .action(async (paths: string[], opts) => {
    const { runLint } = await import('./lint.js');
    process.exitCode = await runLint(paths, opts);
  });

const collect = (value: string, previous: string[] = []) => [...previous, value];

program
  .command('simulate')
  .description("Predict STS's answer (minted, trust_policy_denied, no_trust_policy, trust_policy_invalid, not_installed_in_workspace) for a caller, repo by repo, and explain every no.")
  .option('--claims <file>', 'token claims: a JSON object (as decoded from a GitHub OIDC token) or a raw JWT; - for stdin')
  .option('--subject <sub>', 'a default-format subject; repository, owner, ref, ref_type and environment are derived from it')
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

program
  .command('schema')
  .description('Print the v1alpha1 trust-policy JSON schema (for editors and other validators).')
  .action(async () => {
    const { runSchema } = await import('./schema.js');
    process.exitCode = runSchema();
  });

function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`expected a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  else if (e instanceof UsageError) {
    process.stderr.write(`sts-policy: ${e.message}\n`);
    process.exitCode = EXIT.usage;
  } else {
    process.stderr.write(`sts-policy: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.STS_POLICY_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exitCode = EXIT.internal;
  }
}
