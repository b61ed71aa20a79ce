// A one-line text field: a value and a cursor, both counted in code points (never UTF-16 units),
// so an emoji or a non-BMP character is one step of the cursor and one Backspace.
import type { KeyEvent } from './input.js';

export interface TextField {
  value: string;
  /** Code point offset, 0..length. */
  cursor: number;
}

export const field = (value = ''): TextField => ({ value, cursor: Array.from(value).length });

export const length = (s: string): number => Array.from(s).length;

/** Applies an editing key; returns the field unchanged (same object) for keys it does not handle. */
export function editField(f: TextField, ev: KeyEvent): TextField {
  const cps = Array.from(f.value);
  const at = Math.min(f.cursor, cps.length);
  switch (ev.kind) {
    case 'text': {
      const add = Array.from(ev.text);
      return { value: [...cps.slice(0, at), ...add, ...cps.slice(at)].join(''), cursor: at + add.length };
    }
    case 'backspace':
      return at === 0 ? f : { value: [...cps.slice(0, at - 1), ...cps.slice(at)].join(''), cursor: at - 1 };
    case 'clear':
      return { value: '', cursor: 0 };
    case 'left':
      return { ...f, cursor: Math.max(0, at - 1) };
    case 'right':
      return { ...f, cursor: Math.min(cps.length, at + 1) };
    case 'home':
      return { ...f, cursor: 0 };
    case 'end':
      return { ...f, cursor: cps.length };
    default:
      return f;
  }
}

/** Is this key one a text field consumes (rather than navigation between fields and panes)? */
export const isEditKey = (ev: KeyEvent): boolean => ['text', 'backspace', 'clear', 'left', 'right', 'home', 'end'].includes(ev.kind);
