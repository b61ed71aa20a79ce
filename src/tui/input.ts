// Turns what Ink's useInput hands over into one event per key. Ink 6.8 passes a burst (several
// keys in one stdin chunk: a paste, fast typing, tmux send-keys) as one raw string, so two
// Backspaces arrive as "\x7f\x7f" and Ctrl+U inside a burst as "\x15": split them here, and drop
// every other control character before it reaches a field.

/** The subset of Ink's `Key` this decoder reads (so tests and the bench need no Ink). */
export interface InkKey {
  upArrow: boolean;
  downArrow: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
  pageDown: boolean;
  pageUp: boolean;
  home: boolean;
  end: boolean;
  return: boolean;
  escape: boolean;
  ctrl: boolean;
  shift: boolean;
  tab: boolean;
  backspace: boolean;
  delete: boolean;
  meta: boolean;
}

export type KeyEvent =
  | { kind: 'text'; text: string }
  | { kind: 'tab'; shift: boolean }
  | {
      kind:
        | 'backspace'
        | 'clear'
        | 'left'
        | 'right'
        | 'up'
        | 'down'
        | 'home'
        | 'end'
        | 'pageUp'
        | 'pageDown'
        | 'enter'
        | 'escape'
        | 'interrupt';
    };

type Simple = Exclude<KeyEvent, { kind: 'text' } | { kind: 'tab' }>['kind'];

const ARROWS: [keyof InkKey, Simple][] = [
  ['upArrow', 'up'],
  ['downArrow', 'down'],
  ['leftArrow', 'left'],
  ['rightArrow', 'right'],
  ['pageUp', 'pageUp'],
  ['pageDown', 'pageDown'],
  ['home', 'home'],
  ['end', 'end'],
  ['return', 'enter'],
  ['escape', 'escape'],
];

/** Ctrl+letter shortcuts a field understands; every other Ctrl+letter is dropped. */
const CTRL: Record<string, Simple> = { c: 'interrupt', u: 'clear', a: 'home', e: 'end', h: 'backspace' };

export function decodeKeys(input: string, key: InkKey): KeyEvent[] {
  if (key.tab) return [{ kind: 'tab', shift: key.shift }];
  for (const [flag, kind] of ARROWS) if (key[flag]) return [{ kind }];
  // A lone Backspace arrives as DEL (key.delete in Ink 6) or BS; the Delete key cannot be told
  // apart from it here, so both delete the character before the cursor.
  if (key.backspace || key.delete) return [{ kind: 'backspace' }];
  if (key.ctrl && input.length === 1) {
    const kind = CTRL[input];
    return kind ? [{ kind }] : [];
  }
  if (key.meta) return [];
  return splitBurst(input);
}

/** One event per control key of a raw burst; printable runs stay together as text. */
export function splitBurst(raw: string): KeyEvent[] {
  const events: KeyEvent[] = [];
  let text = '';
  const flush = () => {
    if (text) events.push({ kind: 'text', text });
    text = '';
  };
  for (const ch of raw) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp <= 0x9f)) {
      text += ch;
      continue;
    }
    flush();
    if (cp === 0x7f || cp === 0x08) events.push({ kind: 'backspace' });
    else if (cp === 0x15) events.push({ kind: 'clear' });
    else if (cp === 0x03) events.push({ kind: 'interrupt' });
    else if (cp === 0x09) events.push({ kind: 'tab', shift: false });
    // CR/LF in a burst is the tail of a paste (a copied token ends with a newline): dropped, as is
    // every other control character.
  }
  flush();
  return events;
}
