// `sts-policy init`: write the tightest policy for one caller and its unit tests, refusing to
// overwrite (without --force) or to write through a symbolic link.
import { lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planInit, InitError, type InitInput } from '../init.js';
import { writeFixedFile } from '../lint/fix.js';
import { validatePolicyText } from '../validate/policy.js';
import { checkPolicy, checkOptionsFor } from '../lint/lint.js';
import { SettingsResolver } from '../lint/config.js';
import { UsageError, EXIT } from './errors.js';

export interface InitOptions extends Omit<InitInput, 'permissions'> {
  permission?: string[];
  dir: string;
  force?: boolean;
}

export function runInit(opts: InitOptions): number {
  let plan;
  try {
    plan = planInit({ repo: opts.repo, ref: opts.ref, environment: opts.environment, permissions: opts.permission, name: opts.name });
  } catch (e) {
    if (e instanceof InitError) throw new UsageError(e.message);
    throw e;
  }
  const dir = opts.dir;
  if (!lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--dir ${dir}: no such directory (give the source repository's checkout)`);
  // Every folder on the way and both files: never through a link, never over a file without --force.
  for (const rel of ['.atmos', '.atmos/pro', '.atmos/pro/sts', '.atmos/pro/sts/tests']) {
    const st = lstatSync(join(dir, rel), { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) throw new UsageError(`${join(dir, rel)} is a symbolic link: sts-policy never writes through one, and STS never reads a policy behind one`);
    if (st && !st.isDirectory()) throw new UsageError(`${join(dir, rel)} is not a directory`);
  }
  for (const rel of [plan.policyPath, plan.testsPath]) {
    const st = lstatSync(join(dir, rel), { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isSymbolicLink()) throw new UsageError(`${join(dir, rel)} is a symbolic link: remove it first (sts-policy never writes through one)`);
    if (!st.isFile()) throw new UsageError(`${join(dir, rel)} exists and is not a regular file`);
    if (!opts.force) throw new UsageError(`${join(dir, rel)} already exists: pass --force to overwrite it`);
  }
  // Self-check before writing anything: what init writes must be valid, and lint must say so.
  const path = join(dir, plan.policyPath);
  const validated = validatePolicyText(path, plan.name, plan.policyText);
  const { problems: _, ...check } = checkOptionsFor(new SettingsResolver(), path, {});
  const findings = checkPolicy(validated, check).findings;
  if (!validated.policy) throw new Error(`init produced an invalid policy: ${findings.map((f) => `${f.line}:${f.column} ${f.message}`).join('; ')}`);
  mkdirSync(join(dir, '.atmos/pro/sts/tests'), { recursive: true });
  for (const [rel, text] of [[plan.policyPath, plan.policyText], [plan.testsPath, plan.testsText]] as const) {
    const target = join(dir, rel);
    if (lstatSync(target, { throwIfNoEntry: false })) writeFixedFile(target, text);
    else writeFileSync(target, text, { flag: 'wx' });
  }
  const grant = Object.entries(plan.grant).map(([p, l]) => `${p}: ${l}`).join(', ');
  process.stdout.write(
    [
      `wrote ${path}: ${plan.caller.replace(/`/g, '')} may mint {${grant}} (plus metadata: read)`,
      `wrote ${join(dir, plan.testsPath)}: ${plan.cases} cases (the caller is minted; its neighbours are denied)`,
      'next: review both files, commit them on the default branch, and check with `sts-policy lint` and `sts-policy test`',
    ].join('\n') + '\n',
  );
  // A grant the user asked for can still deserve a warning (`contents: write` is escalation-capable).
  for (const f of findings) process.stderr.write(`sts-policy: ${f.severity}: ${path}:${f.line}:${f.column}  ${f.message}  ${f.ruleId}\n`);
  return EXIT.ok;
}
