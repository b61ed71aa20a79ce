// Errors a command raises for the CLI to turn into exit codes (2 usage, 3 internal).
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT = { ok: 0, findings: 1, usage: 2, internal: 3 } as const;
