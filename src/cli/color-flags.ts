// `--color` / `--no-color`, global flags taken out of argv before commander parses it.

/**
 * `--color` / `--no-color` anywhere before `--`, for every command (ESLint's flags): they set what
 * every renderer already reads, FORCE_COLOR and NO_COLOR, and the last one given wins.
 */
export function colorFlags(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.filter((a, i) => {
    if ((end >= 0 && i > end) || (a !== '--color' && a !== '--no-color')) return true;
    if (a === '--color') {
      delete process.env.NO_COLOR;
      process.env.FORCE_COLOR = '1';
    } else {
      delete process.env.FORCE_COLOR;
      process.env.NO_COLOR = '1';
    }
    return false;
  });
}
