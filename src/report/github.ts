// GitHub Actions workflow commands: `::error file=..,line=..::message` annotations.
import type { Finding } from '../model.js';
import { inert } from './inert.js';

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function formatGithub(findings: readonly Finding[]): string {
  return findings
    .map((f) => {
      const command = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
      const props = [`file=${f.path}`, `line=${f.line}`, `col=${f.column}`, `endLine=${f.endLine}`, `endColumn=${f.endColumn}`, `title=${f.ruleId}`].map((p) => {
        const i = p.indexOf('=');
        return `${p.slice(0, i)}=${inert(escapeProperty(p.slice(i + 1)))}`;
      });
      const witness = f.witness ? `\nwitness: ${JSON.stringify(f.witness)}` : '';
      // CR and LF become %0D/%0A (the annotation keeps its lines); every other control character is shown escaped.
      return `::${command} ${props.join(',')}::${inert(escapeData(f.message + witness))}\n`;
    })
    .join('');
}
