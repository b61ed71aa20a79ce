// The Ink side of `explore`: keys in (split per key by decodeKeys), the reducer, and the frame's
// lines placed in two rows of two columns. Everything it shows comes from buildFrame.
import { useEffect, useMemo, useReducer, useState } from 'react';
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { formClaims, type ClaimsForm } from './claims-form.js';
import { decodeKeys, type KeyEvent } from './input.js';
import { ExploreSession } from './session.js';
import type { SourceEntry } from './sources.js';
import { initialState, reduce, type Model, type UiState } from './state.js';
import { theme } from './theme.js';
import { buildFrame, type Size } from './view.js';

export interface ExploreAppProps {
  entries: readonly SourceEntry[];
  initialForm?: ClaimsForm;
  initialMessage?: string | null;
  /** The settings' subject template, which a typed subject follows (GitHub's default when absent). */
  subjectTemplate?: readonly string[];
  color: boolean;
  /** A fixed size (tests); by default the terminal's, following resizes. */
  size?: Size;
}

export function ExploreApp({ entries, initialForm, initialMessage = null, subjectTemplate, color, size: fixed }: ExploreAppProps) {
  const { exit } = useApp();
  const size = useTerminalSize(fixed);
  const model: Model = useMemo(() => ({ entries, session: new ExploreSession(entries) }), [entries]);
  const [state, dispatch] = useReducer((s: UiState, events: readonly KeyEvent[]) => reduce(model, s, events), undefined, () => initialState(initialForm, initialMessage, subjectTemplate));
  useInput((input, key) => {
    const events = decodeKeys(input, key);
    if (events.length) dispatch(events);
  });
  useEffect(() => {
    if (state.quit) exit();
  }, [state.quit, exit]);
  const claims = useMemo(() => formClaims(state.form), [state.form]);
  const results = useMemo(() => model.session.results(claims), [model, claims]);
  const t = useMemo(() => theme(color), [color]);
  const frame = buildFrame({ model, session: model.session, state, claims, results, size, theme: t });
  const rows = (lines: string[]) => lines.map((l, i) => (
    <Text key={i} wrap="truncate-end">
      {l || ' '}
    </Text>
  ));
  const pair = (pane: [string[], string[]], height: number) => (
    <Box flexDirection="row" height={height}>
      <Box flexDirection="column" width={frame.leftWidth}>
        {rows(pane[0])}
      </Box>
      <Box flexDirection="column" flexGrow={1} borderStyle="single" borderTop={false} borderBottom={false} borderRight={false} paddingLeft={1}>
        {rows(pane[1])}
      </Box>
    </Box>
  );
  return (
    <Box flexDirection="column" width={size.columns}>
      <Text wrap="truncate-end">{frame.header}</Text>
      {frame.body ? <Box flexDirection="column">{rows(frame.body)}</Box> : null}
      {frame.top ? pair(frame.top, frame.topRows) : null}
      {frame.bottom ? pair(frame.bottom, frame.bottomRows) : null}
      <Text wrap="truncate-end">{frame.footer || ' '}</Text>
    </Box>
  );
}

function useTerminalSize(fixed: Size | undefined): Size {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => sizeOf(stdout));
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize(sizeOf(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed]);
  return fixed ?? size;
}

const sizeOf = (stdout: NodeJS.WriteStream): Size => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
