// audit's access map as a picture (a Mermaid graph in --format markdown) and as a machine graph
// (--format graph, JSON): callers -> source repos, edges labelled with the grant, write and
// cross-owner edges marked, grouped by owner, policy text never able to break out of a label.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { tempDirs } from './helpers/temp.js';

const temp = tempDirs('sts-policy-audit-graph-');

const policy = (rules: string) =>
  `# yaml-language-server: $schema=https://atmos-pro.com/schemas/v1alpha1/trust-policy.json\napiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: default\nspec:\n  rules:\n${rules}`;

/** DIR/acme/platform and DIR/acme/modules, clones with one policy each. */
function workspace(): string {
  const root = temp();
  const put = (repo: string, rules: string) => {
    mkdirSync(join(root, repo, '.git'), { recursive: true });
    mkdirSync(join(root, repo, '.atmos/pro/sts'), { recursive: true });
    writeFileSync(join(root, repo, '.atmos/pro/sts/default.yaml'), policy(rules));
  };
  put('acme/platform', '    - match:\n        repository: "acme/deploy"\n        environment: "production"\n      permissions:\n        contents: write\n    - match:\n        subject: "repo:acme*"\n');
  put('acme/modules', '    - match:\n        repository: {regex: "acme/(app|web)"}\n        ref: "refs/heads/\\"]-->x`"\n');
  return root;
}

interface Graph {
  version: number;
  nodes: { id: string; kind: string; label: string; owner: string }[];
  edges: { from: string; to: string; permissions: Record<string, string>; write: boolean; crossOwner: boolean; policy: string; rule: number; line: number }[];
}

describe('audit --format graph', () => {
  it('gives every grant as an edge from a caller node to a source repo node', () => {
    const r = runCli(['audit', '--workspace', workspace(), '--org', 'acme', '--format', 'graph', '--no-progress']);
    expect(r.code, r.stderr).toBe(1);
    const g = JSON.parse(r.stdout) as Graph;
    expect(g.version).toBe(1);
    const label = (id: string) => g.nodes.find((n) => n.id === id)!.label;
    const edges = g.edges.map((e) => [label(e.from), label(e.to), e.write, e.crossOwner, e.rule]);
    expect(edges).toEqual([
      ['acme*', 'acme/platform', false, true, 2],
      ['acme/deploy, environment production', 'acme/platform', true, false, 1],
      ['/acme/(app|web)/, ref refs/heads/"]-->x`', 'acme/modules', false, false, 1],
    ]);
    expect(g.nodes.filter((n) => n.kind === 'repo').map((n) => [n.label, n.owner])).toEqual([
      ['acme/platform', 'acme'],
      ['acme/modules', 'acme'],
    ]);
  });
});

describe('audit --format markdown draws the access map', () => {
  const md = runCli(['audit', '--workspace', workspace(), '--org', 'acme', '--format', 'markdown', '--no-progress']).stdout;
  const mermaid = /```mermaid\n([\s\S]*?)```/.exec(md)?.[1] ?? '';

  it('a Mermaid flowchart grouped by owner, write edges thick, cross-owner edges red', () => {
    expect(mermaid.split('\n')[0]).toBe('flowchart LR');
    expect(mermaid).toMatch(/subgraph o\d+\["acme\*"\]/);
    expect(mermaid).toMatch(/subgraph o\d+\["acme"\]/);
    expect(mermaid).toMatch(/c\d+ ==>\|"WRITE: metadata: read, contents: write"\| r\d+/);
    const edges = mermaid.split('\n').filter((l) => /^\s+c\d+ (-->|==>)/.test(l));
    expect(edges).toHaveLength(3);
    const cross = edges.findIndex((l) => l.includes('CROSS-OWNER'));
    expect(mermaid).toContain(`linkStyle ${cross} stroke:#d1242f`);
  });

  it('policy text cannot leave its label: quotes, brackets, arrows and backticks are entity codes', () => {
    expect(mermaid).toContain('"/acme/#40;app#124;web#41;/, ref refs/heads/#34;#93;--#62;x#96;"');
    for (const line of mermaid.split('\n')) expect(line.match(/"/g)?.length ?? 0, line).toBeLessThanOrEqual(4);
    expect(md.match(/```/g)).toHaveLength(2);
  });

  it('the repos column does not repeat the claim name', () => {
    expect(md).toContain('`/acme/(app\\|web)/`');
    expect(md).not.toMatch(/repository(:| =~)/);
  });

  it('text and markdown count findings alike', () => {
    const text = runCli(['audit', '--workspace', workspace(), '--org', 'acme', '--no-progress']).stdout;
    const counts = (s: string) => /Findings \((\d+ errors?, \d+ warnings?, \d+ infos?)/.exec(s)?.[1];
    expect(counts(md)).toBeDefined();
    expect(counts(text)).toBe(counts(md));
  });
});
