// `node --import ./bench/trace-register.mjs ...`: installs bench/trace-hooks.mjs.
import { register } from 'node:module';

register('./trace-hooks.mjs', import.meta.url);
