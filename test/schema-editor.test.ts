// The JSON schema in an editor: a real yaml-language-server (1.25.0, the last release that runs on
// Node 20; Red Hat's VS Code extension and most other editors use it) driven over stdio LSP.
// Three ways an editor can attach schemas/trust-policy.v1alpha1.json to a policy:
//   1. `yaml.schemas` maps the local schema file to `.atmos/pro/sts/*.yaml`;
//   2. the `# yaml-language-server: $schema=<file URI>` modeline points at the local file;
//   3. the committed header `$schema=https://atmos-pro.com/...` (the schema's `$id`). That host is
//      not reachable offline, so the client answers the server's `vscode/content` request (the
//      channel VS Code's extension uses to fetch schemas for the server) with the local file.
// The server pulls its settings with `workspace/configuration` whenever it gets
// `workspace/didChangeConfiguration` (it ignores the notification's payload), so the client sends
// the settings in both.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { LspClient, type Diagnostic } from './helpers/lsp.js';

const SERVER = join(ROOT, 'node_modules/yaml-language-server/bin/yaml-language-server');
const SCHEMA_FILE = join(ROOT, 'schemas/trust-policy.v1alpha1.json');
const SCHEMA_URI = pathToFileURL(SCHEMA_FILE).href;
const schemaText = readFileSync(SCHEMA_FILE, 'utf8');
const schema = JSON.parse(schemaText);
const PUBLISHED: string = schema.$id; // https://atmos-pro.com/schemas/v1alpha1/trust-policy.json
const TITLE: string = schema.title;
const CLAIMS = ['subject', 'repository', 'repository_owner', 'ref', 'ref_type', 'actor', 'workflow_ref', 'environment', 'sha'];
const PERMISSIONS = Object.keys(schema.definitions.rule.properties.permissions.properties);
const HEADER = /^# yaml-language-server: \$schema=\S+$/m;
const BOM = '\uFEFF';

const validDir = join(ROOT, 'fixtures/valid');
const validFixtures = readdirSync(validDir).flatMap((repo) =>
  readdirSync(join(validDir, repo, '.atmos/pro/sts')).map((f) => `fixtures/valid/${repo}/.atmos/pro/sts/${f}`),
);
const read = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');

/** Put `# yaml-language-server: $schema=<url>` in the text: replace the header, or add one (after a BOM). */
function withHeader(text: string, url: string): string {
  if (HEADER.test(text)) return text.replace(HEADER, `# yaml-language-server: $schema=${url}`);
  const bom = text.startsWith(BOM) ? BOM : '';
  return `${bom}# yaml-language-server: $schema=${url}\n${text.slice(bom.length)}`;
}

interface Form {
  name: string;
  /** `yaml.schemas` setting. */
  schemas: Record<string, string[]>;
  /** Answer `vscode/content` (the editor fetching a schema URL for the server). */
  contentRequests: boolean;
  /** The document URI for a policy named `name` (n keeps URIs unique). */
  uri: (name: string, n: number) => string;
  /** What the editor would show for a fixture: the schema must come from this form alone. */
  prepare: (text: string) => string;
  /** A document (URI, text) that this form gives no schema: the control. */
  control: (n: number) => [string, string];
  /** The schema URI the server reports for a policy. */
  expectedSchema: string;
}

const forms: Form[] = [
  {
    name: 'yaml.schemas maps the local schema file to .atmos/pro/sts/*.yaml',
    schemas: { [SCHEMA_URI]: ['.atmos/pro/sts/*.yaml'] },
    contentRequests: false,
    uri: (name, n) => `file:///lsp-test/mapped/repo${n}/.atmos/pro/sts/${name}.yaml`,
    // A modeline wins over yaml.schemas; this form must not lean on one (nor on the unreachable
    // https header), so a header line becomes a plain comment: line numbers stay.
    prepare: (text) => text.replace(HEADER, '# (schema from yaml.schemas)'),
    control: (n) => [`file:///lsp-test/mapped/repo${n}/policies/default.yaml`, read('fixtures/valid/owner/.atmos/pro/sts/default.yaml')],
    expectedSchema: SCHEMA_URI,
  },
  {
    name: 'the modeline `# yaml-language-server: $schema=<file URI>` points at the local schema file',
    schemas: {},
    contentRequests: false,
    uri: (name, n) => `file:///lsp-test/modeline/repo${n}/.atmos/pro/sts/${name}.yaml`,
    prepare: (text) => withHeader(text, SCHEMA_URI),
    control: (n) => [`file:///lsp-test/modeline/repo${n}/.atmos/pro/sts/default.yaml`, read('fixtures/valid/owner/.atmos/pro/sts/default.yaml')],
    expectedSchema: SCHEMA_URI,
  },
  {
    name: `the committed header $schema=${PUBLISHED}, fetched through the editor`,
    schemas: {},
    contentRequests: true,
    uri: (name, n) => `file:///lsp-test/published/repo${n}/.atmos/pro/sts/${name}.yaml`,
    prepare: (text) => withHeader(text, PUBLISHED),
    control: (n) => [`file:///lsp-test/published/repo${n}/.atmos/pro/sts/default.yaml`, read('fixtures/valid/owner/.atmos/pro/sts/default.yaml')],
    expectedSchema: PUBLISHED,
  },
];

/** 0-based position of `needle` on the first line that contains it. */
function positionOf(text: string, needle: string, offset = 0): { line: number; character: number } {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  expect(line, `"${needle}" in the document`).toBeGreaterThanOrEqual(0);
  return { line, character: lines[line]!.indexOf(needle) + offset };
}

describe.each(forms)('yaml-language-server: $name', (form) => {
  let client: LspClient;
  let n = 0;
  const fetched: string[] = [];

  beforeAll(async () => {
    client = new LspClient(process.execPath, [SERVER, '--stdio'], { cwd: ROOT });
    const yaml = { schemas: form.schemas, validate: true, completion: true, hover: true, schemaStore: { enable: false } };
    client.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => params.items.map((item) => (item.section === 'yaml' ? yaml : {})));
    client.onRequest('vscode/content', (params: string | string[]) => {
      const url = Array.isArray(params) ? params[0]! : params;
      fetched.push(url);
      if (url !== PUBLISHED) throw new Error(`offline: ${url}`);
      return schemaText;
    });
    const init = await client.request<{ serverInfo: { name: string; version: string } }>(
      'initialize',
      { processId: process.pid, rootUri: pathToFileURL(ROOT).href, workspaceFolders: null, capabilities: { workspace: { configuration: true } } },
      20_000,
    );
    expect(init.serverInfo).toEqual({ name: 'yaml-language-server', version: '1.25.0' });
    client.notify('initialized', {});
    // Ask for `yaml/schema/store/initialized` after every applied configuration: a bounded signal
    // that the settings are in before any document opens.
    client.notify('yaml/supportSchemaSelection', {});
    if (form.contentRequests) client.notify('yaml/registerContentRequest', {});
    const applied = client.nextNotification('yaml/schema/store/initialized', () => true, 15_000);
    client.notify('workspace/didChangeConfiguration', { settings: { yaml } });
    await applied;
  }, 40_000);

  afterAll(async () => {
    await client?.stop();
    expect(client.child.exitCode !== null || client.child.signalCode !== null).toBe(true);
  });

  const open = async (name: string, text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> => {
    const uri = form.uri(name, ++n);
    return { uri, diagnostics: await client.openAndDiagnose(uri, text) };
  };
  const schemasOf = (uri: string) => client.request<{ uri: string; name: string }[]>('yaml/get/jsonSchema', uri);

  it('attaches the trust-policy schema to a policy, and no schema to the control document', async () => {
    const { uri } = await open('default', form.prepare(read('fixtures/valid/owner/.atmos/pro/sts/default.yaml')));
    expect(await schemasOf(uri)).toEqual([expect.objectContaining({ uri: form.expectedSchema, name: TITLE })]);
    const [controlUri, controlText] = form.control(++n);
    expect(await client.openAndDiagnose(controlUri, controlText)).toEqual([]);
    expect(await schemasOf(controlUri)).toEqual([]);
    if (form.contentRequests) expect(fetched).toContain(PUBLISHED);
    else expect(fetched).toEqual([]);
  });

  it.each(validFixtures)('%s: no diagnostics', async (file) => {
    const { uri, diagnostics } = await open(file.split('/').pop()!.replace(/\.yaml$/, ''), form.prepare(read(file)));
    expect(diagnostics).toEqual([]);
    expect((await schemasOf(uri)).map((s) => s.uri)).toEqual([form.expectedSchema]);
  });

  it('fixtures/invalid/unknown-claim.yaml: a diagnostic on line 9 (0-based 8) naming the property', async () => {
    const text = form.prepare(read('fixtures/invalid/unknown-claim.yaml'));
    const { diagnostics } = await open('unknown-claim', text);
    expect(diagnostics).toHaveLength(1);
    const [d] = diagnostics;
    expect(d!.range.start).toEqual({ line: 8, character: 8 });
    expect(d!.message).toContain('repositoryowner');
    expect(d!.severity).toBe(1);
    expect(d!.source).toContain(TITLE);
  });

  it('a wrong level (`contents: Read`) gets a diagnostic on the value', async () => {
    const text = form.prepare(read('fixtures/invalid/permission-level-invalid.yaml'));
    expect(text).toContain('contents: Read');
    const { diagnostics } = await open('permission-level-invalid', text);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.range.start).toEqual(positionOf(text, 'Read'));
    expect(diagnostics[0]!.message).toMatch(/read.*write.*admin/);
  });

  const skeleton = [
    'apiVersion: atmos-pro.com/v1alpha1',
    'kind: TrustPolicy',
    'metadata:',
    '  name: default',
    'spec:',
    '  rules:',
    '    - match:',
    '        ',
    '      permissions:',
    '        ',
    '',
  ].join('\n');

  it('completion inside `match:` offers the nine claims', async () => {
    const text = form.prepare(skeleton);
    const { uri } = await open('default', text);
    const at = positionOf(text, '- match:');
    const result = await client.request<{ items: { label: string }[] }>('textDocument/completion', { textDocument: { uri }, position: { line: at.line + 1, character: 8 } });
    expect(result.items.map((i) => i.label).sort()).toEqual([...CLAIMS].sort());
  });

  it('completion under `permissions:` offers pull_requests (and every permission of the schema)', async () => {
    const text = form.prepare(skeleton);
    const { uri } = await open('default', text);
    const at = positionOf(text, 'permissions:');
    const result = await client.request<{ items: { label: string }[] }>('textDocument/completion', { textDocument: { uri }, position: { line: at.line + 1, character: 8 } });
    const labels = result.items.map((i) => i.label);
    expect(labels).toContain('pull_requests');
    expect(labels.sort()).toEqual([...PERMISSIONS].sort());
  });

  it('hover on `repository_owner` shows its description', async () => {
    const text = form.prepare(read('fixtures/valid/owner/.atmos/pro/sts/default.yaml'));
    const { uri } = await open('default', text);
    const hover = await client.request<{ contents: { kind: string; value: string } } | null>('textDocument/hover', {
      textDocument: { uri },
      position: positionOf(text, 'repository_owner', 3),
    });
    expect(hover?.contents.kind).toBe('markdown');
    expect(hover!.contents.value).toContain('The owner (organization or user) of the calling repository');
    expect(hover!.contents.value).toContain(TITLE);
  });
});
