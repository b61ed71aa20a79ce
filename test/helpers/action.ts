// action.yml as the tests read it: its inputs, outputs and composite steps.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ROOT } from './cli.js';

export interface Input {
  description: string;
  required?: boolean;
  default?: string;
}
export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
export interface Action {
  name: string;
  description: string;
  inputs: Record<string, Input>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

export const actionText = readFileSync(join(ROOT, 'action.yml'), 'utf8');
export const action = parseYaml(actionText) as Action;
