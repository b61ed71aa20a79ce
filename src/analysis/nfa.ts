// The automata's one door: symbolic, epsilon-free NFAs over Unicode code points, built from
// SPEC.md globs or from re2js's compiled RE2 program, and the questions asked of them (bounded
// breadth-first search over products, shortest and readable witnesses; membership by simulation).
// The modules behind it, in automata/: ranges, automaton, regex-program, languages, search, simulate.
export { ANY, MAX_CP, normalise, rangesContain, subtract, type Ranges } from './automata/ranges.js';
export { coReachable, makeEdge, makeNfa, NotAnalysable, type Edge, type NFA } from './automata/automaton.js';
export { afterLanguage, afterPrefix, concat, fromGlob, fromLiteral, fromRegex, projectBefore, projectBeforeNth } from './automata/languages.js';
export { boundsOf, DEFAULT_MAX_STATES, findWord, representative, searchesRun, someWord, type SearchOptions } from './automata/search.js';
export { acceptsWord } from './automata/simulate.js';
