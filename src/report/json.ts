// The JSON contract (version 1) documented in the README; other commands reuse the finding shape.
import type { Finding } from '../model.js';
import type { Summary } from './summary.js';

export interface JsonReport {
  version: 1;
  files: { path: string; policyName: string; valid: boolean }[];
  findings: Finding[];
  summary: Summary;
}

export function formatJson(report: JsonReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
