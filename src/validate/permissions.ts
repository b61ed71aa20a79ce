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
