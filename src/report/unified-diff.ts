// A unified diff (`diff -u` format, 3 lines of context) of one file's text before and after fixes.

type Op = { kind: ' ' | '-' | '+'; line: string };

const MAX_LCS_CELLS = 4_000_000;

/** Lines with their terminators, so a missing final newline shows as a change. */
const splitLines = (text: string) => text.match(/[^\n]*\n|[^\n]+$/g) ?? [];

export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const ops = diffLines(splitLines(before), splitLines(after));
  const out = [`--- a/${path}`, `+++ b/${path}`];
  // Group changes into hunks: runs of changes with at most 2*context unchanged lines between them.
  let i = 0;
  while (i < ops.length) {
    while (i < ops.length && ops[i]!.kind === ' ') i++;
    if (i >= ops.length) break;
    let end = i;
    for (let j = i; j < ops.length; j++) {
      if (ops[j]!.kind !== ' ') end = j;
      else if (j - end > 2 * context) break;
    }
    const start = Math.max(0, i - context);
    const stop = Math.min(ops.length - 1, end + context);
    const [oldStart, newStart] = lineNumbers(ops, start);
    const hunk = ops.slice(start, stop + 1);
    const oldLen = hunk.filter((o) => o.kind !== '+').length;
    const newLen = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${range(oldStart, oldLen)} +${range(newStart, newLen)} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.line.endsWith('\n') ? o.line.slice(0, -1) : `${o.line}\n\\ No newline at end of file`}`);
    i = stop + 1;
  }
  return out.join('\n') + '\n';
}

const range = (start: number, len: number) => (len === 1 ? `${start}` : `${len === 0 ? start - 1 : start},${len}`);

function lineNumbers(ops: readonly Op[], upto: number): [number, number] {
  let oldLine = 1;
  let newLine = 1;
  for (let k = 0; k < upto; k++) {
    if (ops[k]!.kind !== '+') oldLine++;
    if (ops[k]!.kind !== '-') newLine++;
  }
  return [oldLine, newLine];
}

/** Common prefix and suffix, then a longest-common-subsequence diff of the middle (replace-all when huge). */
function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const midA = a.slice(pre, a.length - suf);
  const midB = b.slice(pre, b.length - suf);
  const middle: Op[] = [];
  if (midA.length * midB.length > MAX_LCS_CELLS) {
    for (const line of midA) middle.push({ kind: '-', line });
    for (const line of midB) middle.push({ kind: '+', line });
  } else {
    const n = midA.length;
    const m = midB.length;
    const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let x = n - 1; x >= 0; x--) for (let y = m - 1; y >= 0; y--) lcs[x]![y] = midA[x] === midB[y] ? lcs[x + 1]![y + 1]! + 1 : Math.max(lcs[x + 1]![y]!, lcs[x]![y + 1]!);
    let x = 0;
    let y = 0;
    while (x < n || y < m) {
      if (x < n && y < m && midA[x] === midB[y]) middle.push({ kind: ' ', line: midA[x++]! }), y++;
      else if (y < m && (x === n || lcs[x]![y + 1]! >= lcs[x + 1]![y]!)) middle.push({ kind: '+', line: midB[y++]! });
      else middle.push({ kind: '-', line: midA[x++]! });
    }
  }
  return [...a.slice(0, pre).map((line) => ({ kind: ' ' as const, line })), ...orderHunks(middle), ...a.slice(a.length - suf).map((line) => ({ kind: ' ' as const, line }))];
}

/** Within each run of changes, removals before additions, as `diff -u` prints them. */
function orderHunks(ops: Op[]): Op[] {
  const out: Op[] = [];
  let run: Op[] = [];
  const flush = () => {
    out.push(...run.filter((o) => o.kind === '-'), ...run.filter((o) => o.kind === '+'));
    run = [];
  };
  for (const o of ops) {
    if (o.kind === ' ') {
      flush();
      out.push(o);
    } else run.push(o);
  }
  flush();
  return out;
}
