#!/usr/bin/env node
// Regenerates src/data/app-permissions.json from GitHub's REST description in @octokit/openapi.
// Run on demand (`npm run gen:permissions [VERSION]`): the package is ~400 MB unpacked, so it is
// fetched as a tarball into a temp dir and only the one JSON file is read; never a dependency.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const version = process.argv[2] ?? '23.0.2';
const dir = mkdtempSync(join(tmpdir(), 'sts-policy-openapi-'));
try {
  const tarball = execFileSync('npm', ['pack', `@octokit/openapi@${version}`, '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop();
  const api = JSON.parse(execFileSync('tar', ['xzf', tarball, '-O', 'package/generated/api.github.com.json'], { cwd: dir, maxBuffer: 1 << 30, encoding: 'utf8' }));
  const props = api.components.schemas['app-permissions'].properties;
  const permissions = {};
  for (const name of Object.keys(props).sort()) {
    permissions[name] = { levels: props[name].enum, description: props[name].description };
  }
  const out = { source: `@octokit/openapi@${version} components.schemas.app-permissions`, permissions };
  writeFileSync(new URL('../src/data/app-permissions.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
  console.log(`wrote ${Object.keys(permissions).length} permissions from @octokit/openapi@${version}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
