// Counts shared by every reporter and by the exit code.
import type { Finding } from '../model.js';

export interface Summary {
  files: number;
  errors: number;
  warnings: number;
  infos: number;
  /** Findings an `# sts-policy-ignore` comment suppressed (not counted above). */
  ignored: number;
}

export function summarize(fileCount: number, findings: readonly Finding[], ignored = 0): Summary {
  const count = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  return { files: fileCount, errors: count('error'), warnings: count('warning'), infos: count('info'), ignored };
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
