// The audit's decision, shared by the exit code and anything that reports it: a partial result (a
// repo or the repo list could not be read) is neither a pass nor a fail, and outranks findings.
import type { AuditResult } from './audit.js';

export type AuditVerdict = 'partial' | 'errors' | 'pass';

export function auditVerdict(result: Pick<AuditResult, 'partial' | 'findings'>): AuditVerdict {
  if (result.partial.length) return 'partial';
  return result.findings.some((f) => f.severity === 'error') ? 'errors' : 'pass';
}
