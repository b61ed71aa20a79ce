// Types for test/rule-index.test.ts, which lints the bench's generated policy.
export function bigPolicyText(rules?: number): string;
