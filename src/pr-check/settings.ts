// The lint settings pr-check uses: the base revision's `.sts-policy.yaml` (read from git by the
// caller), or the defaults with a note saying why (too large, or with problems).
import { CONFIG_FILE, formatConfigProblem, parseConfigText } from '../lint/config.js';
import type { LintConfig } from '../rules/framework.js';

/** `text`: the base revision's settings file (undefined: none; `too-large`: over the policy size bound). */
export function baseSettings(text: string | 'too-large' | undefined): { config: LintConfig; notes: string[] } {
  if (text === undefined) return { config: {}, notes: [] };
  if (text === 'too-large') return { config: {}, notes: [`the base revision's ${CONFIG_FILE} is too large: default lint settings were used`] };
  const parsed = parseConfigText(CONFIG_FILE, text);
  if (parsed.ok) return { config: parsed.config, notes: [] };
  return { config: {}, notes: [`the base revision's ${CONFIG_FILE} has problems, so default lint settings were used: ${parsed.problems.map(formatConfigProblem).join('; ')}`] };
}
