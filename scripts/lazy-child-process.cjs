// commander requires node:child_process at load time only to spawn executable subcommands, which
// sts-policy never uses; loading it (and net, stream with it) costs ~10 ms of every start.
let real;
module.exports = { spawn: (...args) => (real ??= require('node:child_process')).spawn(...args) };
