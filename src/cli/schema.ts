// `sts-policy schema`: the committed schema file, read beside the bundle (not bundled into lint).
import { readFileSync } from 'node:fs';

export function runSchema(): number {
  process.stdout.write(readFileSync(new URL('../schemas/trust-policy.v1alpha1.json', import.meta.url), 'utf8'));
  return 0;
}
