// Starts the explorer in the terminal: the alternate screen (so quitting restores what was there),
// a spinner while policies are read, linted and compiled (a few per tick, so it stays responsive),
// then the explorer. Loaded only by `explore`: nothing else pays for Ink and React.
import { useEffect, useState } from 'react';
import { Box, Text, render, useApp, useInput } from 'ink';
import { Spinner, ThemeProvider, defaultTheme, extendTheme } from '@inkjs/ui';
import type { ClaimsForm } from './claims-form.js';
import { ExploreApp } from './app.js';
import { loadSource, type PlannedSource, type SourceEntry } from './sources.js';

export interface ExploreUiOptions {
  plan: readonly PlannedSource[];
  form?: ClaimsForm;
  message?: string | null;
  /** The subject template the sources' settings share (sharedSubjectTemplate). */
  subjectTemplate?: readonly string[];
  color: boolean;
}

const ALT_SCREEN_ON = '\u001b[?1049h\u001b[H';
const ALT_SCREEN_OFF = '\u001b[?1049l';
/** Sources read per tick while loading: small enough to keep the spinner and Ctrl+C alive. */
const BATCH = 8;

/** Runs until the user quits; returns the exit status (128 + n when ended by a signal). */
export async function runExploreUi(opts: ExploreUiOptions): Promise<number> {
  let restored = false;
  const restore = () => {
    if (!restored) process.stdout.write(ALT_SCREEN_OFF);
    restored = true;
  };
  process.stdout.write(ALT_SCREEN_ON);
  process.once('exit', restore);
  const instance = render(<Loader {...opts} />, { exitOnCtrlC: false, patchConsole: false });
  // A signal (kill, a closed terminal) ends the explorer like q does, so the screen is restored.
  let status = 0;
  const signals = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
  const handlers = Object.entries(signals).map(([sig, n]) => {
    const handler = () => {
      status = 128 + n;
      instance.unmount();
    };
    process.on(sig, handler);
    return () => process.removeListener(sig, handler);
  });
  try {
    await instance.waitUntilExit();
  } finally {
    for (const off of handlers) off();
    restore();
    process.removeListener('exit', restore);
  }
  return status;
}

/** @inkjs/ui's spinner, without its colour when colour is off. */
const plainTheme = extendTheme(defaultTheme, { components: { Spinner: { styles: { frame: () => ({}) } } } });

export function Loader({ plan, form, message, subjectTemplate, color }: ExploreUiOptions) {
  const [entries, setEntries] = useState<SourceEntry[] | null>(null);
  const [done, setDone] = useState(0);
  const { exit } = useApp();
  useInput((input, key) => {
    if ((key.ctrl && input === 'c') || input === 'q') exit();
  }, { isActive: entries === null });
  useEffect(() => {
    let cancelled = false;
    const loaded: SourceEntry[] = [];
    const step = () => {
      if (cancelled) return;
      for (const p of plan.slice(loaded.length, loaded.length + BATCH)) loaded.push(loadSource(p));
      setDone(loaded.length);
      if (loaded.length < plan.length) setImmediate(step);
      else setEntries(loaded);
    };
    setImmediate(step);
    return () => {
      cancelled = true;
    };
  }, [plan]);
  if (entries) return <ExploreApp entries={entries} initialForm={form} initialMessage={message ?? null} subjectTemplate={subjectTemplate} color={color} />;
  return (
    <ThemeProvider theme={color ? defaultTheme : plainTheme}>
      <Box flexDirection="column">
        <Text>sts-policy explore</Text>
        <Spinner label={`reading, linting and compiling policies: ${done} of ${plan.length}`} />
      </Box>
    </ThemeProvider>
  );
}
