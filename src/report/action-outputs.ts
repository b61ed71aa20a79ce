// GitHub Actions step outputs: appended to $GITHUB_OUTPUT in the `name<<DELIMITER` form, with a
// random delimiter, so no value can end an output early or add another.
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

export function writeActionOutputs(file: string, outputs: Record<string, string | number | boolean>): void {
  const delimiter = `sts-policy-${randomUUID()}`;
  appendFileSync(file, Object.entries(outputs).map(([name, value]) => `${name}<<${delimiter}\n${String(value)}\n${delimiter}\n`).join(''));
}
