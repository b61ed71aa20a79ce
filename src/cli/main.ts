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
