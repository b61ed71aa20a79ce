// SARIF for an audit: lint's SARIF (one location per result, in the policy file) with URIs that
// point at each repo's default-branch commit on GitHub, and the repos that could not be read as
// tool execution notifications (the run is then not successful).
import type { Log } from 'sarif';
import type { Finding } from '../../model.js';
import type { SourceText } from '../../load/text.js';
import { formatSarif } from '../sarif.js';
import type { AuditResult } from '../../audit/audit.js';

// A stand-in root: lint's SARIF writes paths relative to it, and %SRCROOT% maps it to GitHub.
const ROOT = '/sts-policy-audit';

export function sarifReport(r: AuditResult, version: string): string {
  const sources = new Map<string, SourceText>();
  let findings: Finding[];
  let cwd = process.cwd();
  if (r.source === 'github') {
    cwd = ROOT;
    findings = [];
    for (const a of r.repos) {
      const ref = a.snapshot.commit ?? a.snapshot.defaultBranch ?? 'HEAD';
      const at = (path: string) => `${ROOT}/${a.repo}/blob/${ref}/${path.slice(a.snapshot.pathPrefix.length)}`;
      for (const f of a.nearMisses) findings.push({ ...f, path: at(f.path) });
      for (const p of a.policies) {
        if (p.validated) sources.set(at(p.path), p.validated.source);
        for (const f of p.findings) findings.push({ ...f, path: at(f.path) });
      }
    }
  } else {
    findings = r.findings;
    for (const a of r.repos) for (const p of a.policies) if (p.validated) sources.set(p.path, p.validated.source);
  }
  const log = JSON.parse(formatSarif(findings, sources, version, cwd)) as Log;
  const run = log.runs[0]!;
  if (r.source === 'github' && r.webUrl) run.originalUriBaseIds = { '%SRCROOT%': { uri: `${r.webUrl.replace(/\/+$/, '')}/`, description: { text: `${r.target} on ${r.host}` } } };
  const unknown = r.repos.filter((a) => a.status === 'unknown');
  run.invocations = [
    {
      executionSuccessful: r.partial.length === 0,
      toolExecutionNotifications: [
        ...(r.listing?.error ? [{ level: 'error' as const, message: { text: r.listing.error } }] : []),
        ...unknown.map((a) => ({ level: 'error' as const, message: { text: `${a.repo} could not be read: ${a.snapshot.error}` } })),
      ],
    },
  ];
  return JSON.stringify(log, null, 2) + '\n';
}
