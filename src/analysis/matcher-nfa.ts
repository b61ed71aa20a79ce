// A matcher's language: the one place a policy matcher becomes an automaton (built once per
// pattern text in the NFA module).
import type { Matcher } from '../model.js';
import { fromGlob, fromRegex, type NFA } from './nfa.js';

export const matcherNfa = (m: Matcher): NFA => (m.kind === 'glob' ? fromGlob(m.pattern) : fromRegex(m.pattern));
