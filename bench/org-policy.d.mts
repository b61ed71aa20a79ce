// Types for org-policy.mjs, so TypeScript tests can import orgPolicy().
export function orgPolicy(n: number, variant?: 'old' | 'new'): string;
