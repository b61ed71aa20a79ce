// Markdown for job summaries. Everything read from repos (names, paths, patterns, messages that
// quote policy text) is untrusted: values go in escaped code spans, prose through `text()`.
import { code, text } from '../markdown.js';
import type { AuditResult } from '../../audit/audit.js';
import { grantsByRepo } from '../../audit/analyze/access.js';
import { accessGraph, mermaidGraph } from './graph.js';
import { findingCounts, fmtPermissions, grantFlags, inventory, requestFigures } from './report.js';

/** Rows per table: a job summary is capped (1 MiB), and the JSON report has everything. */
const MAX_ROWS = 300;

export function markdownReport(r: AuditResult): string {
  const inv = inventory(r);
  const out: string[] = [`### Trust policy audit: ${code(r.target)}`, ''];
  if (r.partial.length) out.push(`> [!WARNING]`, `> **Partial result**: ${r.partial.map(prose).join('; ')}. What was read is reported below.`, '');
  out.push('| repos | count |', '| --- | ---: |');
  out.push(`| with a valid policy | ${inv.policy} |`, `| with an invalid policy | ${inv.invalid} |`, `| without a policy | ${inv.none} |`);
  if (inv.unknown) out.push(`| unknown (could not be read) | ${inv.unknown} |`);
  if (inv.disabled) out.push(`| disabled | ${inv.disabled} |`);
  if (inv.archived) out.push(`| archived (audited) | ${inv.archived} |`);
  out.push(`| with near misses | ${inv.nearMisses} |`, `| **total** | ${inv.repos} |`, '');
  const req = requestFigures(r);
  if (req) out.push(`${req.total} API requests (${req.perRepo} per repo, ${req.retries} retried, ${req.cacheHits} repos from the cache).`, '');

  const unknown = r.repos.filter((a) => a.status === 'unknown');
  if (unknown.length) {
    out.push('#### Repos that could not be read', '', '| repo | error |', '| --- | --- |');
    for (const a of unknown.slice(0, MAX_ROWS)) out.push(`| ${code(a.repo)} | ${prose(a.snapshot.error ?? '')} |`);
    more(out, unknown.length);
  }

  out.push('#### Access map', '', 'Who may mint from each source repo; cross-owner and write grants first.', '');
  if (r.grants.length) {
    out.push('Callers on the left, source repos (cylinders) on the right, grouped by owner; thick arrows grant write, red arrows reach an owner outside the trusted ones.', '', mermaidGraph(accessGraph(r.grants)));
    out.push('| source repo | policy | rule | owners | repos | refs | environments | also | permissions | flags |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    let rows = 0;
    for (const { grants } of grantsByRepo(r.grants))
      for (const g of grants) {
        if (rows++ >= MAX_ROWS) continue;
        const c = g.callers;
        out.push(`| ${code(g.repo)} | ${code(g.policy)} | ${g.rule} (line ${g.line}) | ${list(c.owners)} | ${list(c.repos)} | ${list(c.refs)} | ${list(c.environments)} | ${list(c.other)} | ${code(fmtPermissions(g.permissions))} | ${text(grantFlags(g).join(', '))} |`);
      }
    more(out, rows);
  } else out.push('No valid policy grants access.', '');

  const findings = r.findings;
  out.push(`#### Findings (${findingCounts(inv)})`, '');
  if (findings.length) {
    out.push('| file | line | severity | rule | message |', '| --- | ---: | --- | --- | --- |');
    for (const f of findings.slice(0, MAX_ROWS)) out.push(`| ${code(f.path)} | ${f.line} | ${f.severity} | ${code(f.ruleId)} | ${prose(f.message)} |`);
    more(out, findings.length);
  } else out.push('None.', '');

  const p = r.prediction;
  if (p) {
    out.push(`#### Prediction for ${code(p.claims.sub ?? JSON.stringify(p.claims))} (policy ${code(p.policyName)})`, '', '| repo | outcome | permissions |', '| --- | --- | --- |');
    for (const x of p.repos.slice(0, MAX_ROWS)) out.push(`| ${code(x.repo)} | ${code(x.outcome)} | ${x.evaluation?.permissions ? code(fmtPermissions(x.evaluation.permissions)) : ''} |`);
    for (const u of p.unpredicted) out.push(`| ${code(u.repo)} | unknown | ${prose(u.reason)} |`);
    more(out, p.repos.length);
    out.push('<details><summary>Wire response</summary>', '', '```json', JSON.stringify(p.wire, null, 2).replace(/```/g, '`\u200b``'), '```', '</details>', '');
  }
  return out.join('\n') + '\n';
}

/** A message with `code` spans: each span and each stretch between is escaped on its own. */
const prose = (message: string) => message.split(/`([^`\n]*)`/).map((part, i) => (i % 2 ? code(part) : text(part))).join('');

const list = (values: string[]) => (values.length ? values.map((v) => (v === '*' ? 'any' : code(v))).join(', ') : 'none');

function more(out: string[], total: number): void {
  if (total > MAX_ROWS) out.push(`| … ${total - MAX_ROWS} more rows: see \`--format json\` | |`);
  out.push('');
}
