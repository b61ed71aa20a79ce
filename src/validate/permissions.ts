// GitHub App permission names and the levels GitHub offers for each (generated data).
import data from '../data/app-permissions.json' with { type: 'json' };
import type { Level } from '../model.js';

const table = data.permissions as Record<string, { levels: Level[]; description: string }>;

export const PERMISSION_NAMES: readonly string[] = Object.keys(table);
export const PERMISSIONS_SOURCE: string = data.source;

/** The levels GitHub offers for a permission (`workflows` is write-only, some allow `admin`). */
export function offeredLevels(name: string): readonly Level[] | undefined {
  return table[name]?.levels;
}

/** Why a permission reaches past a repository's data to its controls, and from which level. */
export interface Sensitivity {
  level: Level;
  why: string;
}

// Classes over GitHub's generated permission names, first match wins: a permission GitHub adds to
// one of these families (another `*_secrets`, an `organization_*`) is sensitive without an edit here.
const SENSITIVE_CLASSES: { test: (name: string, description: string) => boolean; level: Level; why: string }[] = [
  // Secret scanning alerts carry the leaked secret's value.
  { test: (n) => n.includes('secret'), level: 'read', why: 'it can read secrets (or secret values that secret scanning found)' },
  { test: (n) => n === 'workflows', level: 'write', why: "it can change GitHub Actions workflows, which run with this repository's secrets and OIDC identity" },
  { test: (n) => n.endsWith('administration'), level: 'write', why: 'it can change settings, branch protection and who has access' },
  { test: (n) => n.endsWith('_hooks'), level: 'write', why: 'it can add webhooks that receive every event, and the data in it' },
  { test: (n) => n.includes('runners'), level: 'write', why: "it can register and reconfigure self-hosted runners, which run other jobs' code and secrets" },
  { test: (n) => n === 'actions', level: 'write', why: 'it can re-run, cancel and dispatch workflows' },
  { test: (n) => n === 'environments', level: 'write', why: 'it can change deployment environments and their protection rules' },
  { test: (n, d) => n === 'members' || /organi[sz]ation/i.test(n) || /\borgani[sz]ation\b/i.test(d), level: 'write', why: 'it is an organisation-level permission: it reaches beyond this repository to the whole organisation' },
];

const SENSITIVE: ReadonlyMap<string, Sensitivity> = new Map(
  Object.entries(table).flatMap(([name, p]) => {
    const c = SENSITIVE_CLASSES.find((k) => k.test(name, p.description));
    return c ? [[name, { level: c.level, why: c.why }] as const] : [];
  }),
);

/** The sensitive permissions (secrets, workflows, administration, hooks, runners, org-level, ...), derived from the generated list. */
export const sensitivePermission = (name: string): Sensitivity | undefined => SENSITIVE.get(name);
export const SENSITIVE_PERMISSIONS: readonly string[] = [...SENSITIVE.keys()];
