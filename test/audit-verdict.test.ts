// The audit's verdict is a library decision (the CLI only maps it to an exit code): a partial
// result outranks error findings, and warnings alone pass.
import { describe, expect, it } from 'vitest';
import { auditVerdict } from '../src/audit/verdict.js';
import type { Finding } from '../src/model.js';

const finding = (severity: Finding['severity']): Finding => ({ path: 'acme/app/.atmos/pro/sts/default.yaml', ruleId: 'security/any-owner', severity, message: 'm', line: 1, column: 1, endLine: 1, endColumn: 2, docsUrl: '', fix: null });

describe('auditVerdict', () => {
  it('is partial when a repo could not be read, even with error findings', () => {
    expect(auditVerdict({ partial: ['acme/app: 502'], findings: [finding('error')] })).toBe('partial');
  });
  it('fails on an error finding and passes on warnings and infos', () => {
    expect(auditVerdict({ partial: [], findings: [finding('warning'), finding('error')] })).toBe('errors');
    expect(auditVerdict({ partial: [], findings: [finding('warning'), finding('info')] })).toBe('pass');
  });
});
