// Child process of the `lint-phases` section: times lint through the built library
// (dist/index.mjs) in a fresh process and prints one JSON line. Figures are CPU milliseconds of
// this process (user + system, so parallel GC threads count too): far steadier than wall time
// on a shared machine.
//   node bench/lint-phases-child.mjs stages <path...>   discover, read, validate (results dropped), then
//                                                       lintPaths with every lint rule off
//   node bench/lint-phases-child.mjs rules <path...>    per lint rule: lintPaths with only that rule
//                                                       on, minus lintPaths with none (same process)
const lib = await import(new URL('../dist/index.mjs', import.meta.url).href);
const [mode, ...paths] = process.argv.slice(2);

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const timed = (fn) => {
  const c0 = cpuMs();
  const w0 = performance.now();
  const value = fn();
  return { value, cpuMs: cpuMs() - c0, wallMs: performance.now() - w0 };
};
const validation = new Set(lib.VALIDATION_RULES.map((m) => m.id));
const lintRules = lib.allRuleMetas().filter((m) => !validation.has(m.id) && m.id !== 'analysis/not-analysed').map((m) => m.id);
const only = (keep) => ({ rules: Object.fromEntries(lintRules.filter((id) => !keep.includes(id)).map((id) => [id, { severity: 'off' }])) });

if (mode === 'stages') {
  const discover = timed(() => lib.discover(paths).targets.filter((t) => t.kind === 'policy'));
  const read = timed(() => discover.value.map((t) => [t, lib.readPolicyFile(t.path)]));
  const validate = timed(() => read.value.filter(([t, r]) => r.ok && lib.validatePolicyText(t.path, t.name, r.text).policy).length);
  const lint = timed(() => lib.lintPaths(paths, { config: only([]) }));
  const out = (t) => ({ cpuMs: Math.round(t.cpuMs), wallMs: Math.round(t.wallMs) });
  console.log(JSON.stringify({ files: discover.value.length, valid: validate.value, discover: out(discover), read: out(read), validate: out(validate), lintRulesOff: out(lint), lintRules }));
} else if (mode === 'rules') {
  // Warm up, then the base is the cheaper of two runs with no rule; each rule runs once.
  lib.lintPaths(paths, { config: only([]) });
  const base = Math.min(timed(() => lib.lintPaths(paths, { config: only([]) })).cpuMs, timed(() => lib.lintPaths(paths, { config: only([]) })).cpuMs);
  const files = lib.lintPaths(paths, { config: only([]) }).files.length;
  const perRule = lintRules.map((id) => {
    const t = timed(() => lib.lintPaths(paths, { config: only([id]) }));
    return { id, cpuMs: Math.round(t.cpuMs - base), findings: t.value.findings.length };
  });
  console.log(JSON.stringify({ files, baseCpuMs: Math.round(base), perRule }));
} else {
  console.error('usage: lint-phases-child.mjs stages|rules <path...>');
  process.exit(2);
}
