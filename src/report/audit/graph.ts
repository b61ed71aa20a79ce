// The access map as a graph: callers -> source repos, one edge per grant labelled with its
// permissions, write and cross-owner edges marked, nodes grouped by owner. Mermaid for Markdown
// (GitHub draws it in job summaries and PR comments); JSON (`audit --format graph`) for other tools.
// Labels come from policies: in Mermaid every character outside a plain set is an entity code, so
// no label can close its quotes, the code fence, or start Mermaid or HTML syntax.
import { sortGrants, type AccessGrant, type CallerSummary } from '../../audit/analyze/access.js';
import { fmtPermissions } from './report.js';

export interface GraphNode {
  id: string;
  kind: 'caller' | 'repo';
  label: string;
  /** The owner the node is grouped under (`*` for callers from any owner). */
  owner: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  permissions: Record<string, string>;
  write: boolean;
  crossOwner: boolean;
  policy: string;
  /** 1-based rule number and its line. */
  rule: number;
  line: number;
}

export interface AccessGraph {
  version: 1;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const ANY = '*';
/** The group of a rule no real token satisfies (its owner or repo matcher admits none). */
const NOBODY = '';

export function accessGraph(grants: readonly AccessGrant[]): AccessGraph {
  const nodes = new Map<string, GraphNode>();
  const node = (kind: GraphNode['kind'], label: string, owner: string): string => {
    const key = `${kind}\u0000${label}`;
    let n = nodes.get(key);
    if (!n) nodes.set(key, (n = { id: `${kind === 'caller' ? 'c' : 'r'}${nodes.size + 1}`, kind, label, owner }));
    return n.id;
  };
  const edges = sortGrants([...grants]).map((g) => ({
    from: node('caller', callerLabel(g.callers), g.callers.owners.length === 1 ? g.callers.owners[0]! : g.callers.owners.length ? ANY : NOBODY),
    to: node('repo', g.repo, g.repo.split('/')[0]!),
    permissions: g.permissions,
    write: g.write,
    crossOwner: g.crossOwner,
    policy: g.policy,
    rule: g.rule,
    line: g.line,
  }));
  return { version: 1, nodes: [...nodes.values()], edges };
}

/** Who a rule admits, in one line: repos (or owners), then refs, environments and other claims. */
function callerLabel(c: CallerSummary): string {
  if (!c.owners.length || !c.repos.length) return 'no real caller';
  const who = c.repos[0] !== ANY ? c.repos.join(' | ') : c.owners[0] === ANY ? 'any owner' : c.owners.map((o) => `${o}/*`).join(' | ');
  const parts = [who];
  if (c.refs[0] !== ANY) parts.push(`ref ${c.refs.join(' | ')}`);
  if (c.environments[0] !== ANY) parts.push(`environment ${c.environments.join(' | ')}`);
  parts.push(...c.other);
  return parts.join(', ');
}

/** Edges drawn at most: GitHub refuses very large diagrams; the JSON graph has every edge. */
const MAX_EDGES = 200;

export function mermaidGraph(graph: AccessGraph): string {
  const shown = graph.edges.slice(0, MAX_EDGES);
  const used = new Set(shown.flatMap((e) => [e.from, e.to]));
  const byOwner = new Map<string, GraphNode[]>();
  for (const n of graph.nodes.filter((x) => used.has(x.id))) {
    let list = byOwner.get(n.owner);
    if (!list) byOwner.set(n.owner, (list = []));
    list.push(n);
  }
  const out = ['```mermaid', 'flowchart LR'];
  [...byOwner].forEach(([owner, nodes], i) => {
    out.push(`  subgraph o${i + 1}["${label(owner === ANY ? 'any owner' : owner === NOBODY ? 'nobody' : owner)}"]`);
    for (const n of nodes) out.push(n.kind === 'repo' ? `    ${n.id}[("${label(n.label)}")]` : `    ${n.id}["${label(n.label)}"]`);
    out.push('  end');
  });
  const cross: number[] = [];
  shown.forEach((e, i) => {
    if (e.crossOwner) cross.push(i);
    const flags = [e.crossOwner ? 'CROSS-OWNER' : '', e.write ? 'WRITE' : ''].filter(Boolean).join(' ');
    // Thick arrows for write grants; cross-owner edges are drawn red below.
    out.push(`  ${e.from} ${e.write ? '==>' : '-->'}|"${label(`${flags ? `${flags}: ` : ''}${fmtPermissions(e.permissions)}`)}"| ${e.to}`);
  });
  if (cross.length) out.push(`  linkStyle ${cross.join(',')} stroke:#d1242f,stroke-width:3px`);
  out.push('```');
  if (graph.edges.length > MAX_EDGES) out.push('', `${graph.edges.length - MAX_EDGES} more grants are not drawn: see \`--format graph\`.`);
  return out.join('\n') + '\n';
}

/** A Mermaid label: letters, digits and `/ . _ - : * @ ,` and spaces as written, anything else as `#NNN;`. */
const label = (s: string) => Array.from(s, (ch) => (/^[A-Za-z0-9 /._:*@,-]$/.test(ch) ? ch : `#${ch.codePointAt(0)};`)).join('');
