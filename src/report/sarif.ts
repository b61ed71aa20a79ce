// SARIF 2.1.0 for code-scanning uploads: relative URIs under %SRCROOT%, 1-based regions, rule
// metadata with help URIs, and partial fingerprints that survive lines moving.
import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { Finding, RelatedLocation } from '../model.js';
import type { SourceText } from '../load/text.js';
import { allRuleMetas, docsUrl } from '../findings.js';
import type { RuleMeta } from '../validate/codes.js';
import type { IgnoredFinding } from '../lint/ignores.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/** Rules about who can mint what: GitHub code scanning sorts and filters these by security severity. */
const SECURITY = /^(security|permissions)\//;
/** GitHub's bands: >= 7.0 high, >= 4.0 medium, else low; a rule's default severity picks its band. */
const SECURITY_SEVERITY = { error: '8.0', warning: '5.0', info: '2.0' } as const;

/** `tags` (the rule's category, and `security` for security rules) and `security-severity`. */
function ruleProperties(m: RuleMeta): { tags: string[]; 'security-severity'?: string } {
  const category = m.id.split('/')[0]!;
  if (!SECURITY.test(m.id)) return { tags: [category] };
  return { tags: [...new Set(['security', category])], 'security-severity': SECURITY_SEVERITY[m.severity] };
}

/** A SARIF region (an empty range at a line's start is widened to nothing before the column). */
const region = (p: Omit<RelatedLocation, 'message'>) => ({ startLine: p.line, startColumn: p.column, endLine: p.endLine, endColumn: Math.max(p.endColumn, p.endLine === p.line ? p.column : 1) });

/** Ignored findings are kept as results with an in-source suppression, as code scanning expects. */
export function formatSarif(findings: readonly Finding[], sources: ReadonlyMap<string, SourceText>, version: string, cwd = process.cwd(), ignored: readonly IgnoredFinding[] = []): string {
  const metas = allRuleMetas();
  const rules: ReportingDescriptor[] = metas.map((m) => ({
    id: m.id,
    name: m.id.replace(/(^|[/-])(\w)/g, (_, __, ch: string) => ch.toUpperCase()),
    shortDescription: { text: m.description },
    helpUri: docsUrl(m.id),
    defaultConfiguration: { level: LEVEL[m.severity] },
    properties: ruleProperties(m),
  }));
  const index = new Map(metas.map((m, i) => [m.id, i]));
  const occurrences = new Map<string, number>();
  const results: Result[] = [...findings, ...ignored].map((f) => {
    const uri = relative(cwd, f.path).split(sep).map(encodeURIComponent).join('/');
    const lineText = sources.get(f.path)?.lineText(f.line).trim() ?? '';
    const base = `${f.ruleId}\u0000${uri}\u0000${lineText}`;
    const n = (occurrences.get(base) ?? 0) + 1;
    occurrences.set(base, n);
    const result: Result = {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId),
      level: LEVEL[f.severity],
      message: { text: f.message + (f.witness ? ` Witness: ${JSON.stringify(f.witness)}` : '') },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri, uriBaseId: '%SRCROOT%' },
            region: region(f),
          },
        },
      ],
      partialFingerprints: { 'stsPolicyFinding/v1': createHash('sha256').update(`${base}\u0000${n}`).digest('hex').slice(0, 32) },
    };
    if (f.related)
      result.relatedLocations = f.related.map((r, i) => ({ id: i + 1, message: { text: r.message }, physicalLocation: { artifactLocation: { uri, uriBaseId: '%SRCROOT%' }, region: region(r) } }));
    if (f.witness) result.properties = { witness: f.witness };
    if ('ignoredBy' in f) result.suppressions = [{ kind: 'inSource', justification: (f as IgnoredFinding).ignoredBy.reason }];
    return result;
  });
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'sts-policy', version, informationUri: 'https://github.com/sts-policy/sts-policy', rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd + sep).href } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
