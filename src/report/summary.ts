// Counts shared by every reporter and by the exit code.
import type { Finding } from '../model.js';

export interface Summary {
  files: number;
  errors: number;
  warnings: number;
  infos: number;
}

export function summarize(fileCount: number, findings: readonly Finding[]): Summary {
  const count = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  return { files: fileCount, errors: count('error'), warnings: count('warning'), infos: count('info') };
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
