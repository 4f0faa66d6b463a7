// `setenv`, `presetenv`, `unsetenv`, `resetenv` (global): they act while the configuration is
// read, so later lines expand "${NAME}" against the changed environment (the parser's
// ConfigEnvironment), and the running process ends up with that environment (applied before
// the worker threads start). Argument checks and messages are HAProxy 2.6's.

import type { KwContext, SectionKeyword } from '../config/keyword.js';
import { ConfigEnvironment } from '../config/environment.js';
import type { Json } from '../config/model.js';

/** HAProxy prints these alerts as "parsing [file:line]: ..." (no space before the colon). */
function alert(ctx: KwContext, message: string): undefined {
  ctx.diag.alert('E_BAD_ARG', ctx.loc, message, undefined, 'tight');
  return undefined;
}

/** The parse-time environment; every parseConfig() provides one. */
function environment(ctx: KwContext): ConfigEnvironment | undefined {
  if (ctx.env instanceof ConfigEnvironment) return ctx.env;
  alert(ctx, `'${ctx.key}' cannot change the environment outside of a configuration parse.`);
  return undefined;
}

function setter(name: 'setenv' | 'presetenv'): SectionKeyword {
  return {
    name,
    status: 'ready',
    multi: true,
    summary:
      name === 'setenv'
        ? 'sets an environment variable for the following lines and the running process'
        : 'sets an environment variable unless it exists, for the following lines and the running process',
    parse(ctx) {
      // HAProxy lets a third word through unnoticed (its too-many-args check allows three).
      if (ctx.args.length > 3) return ctx.fail(`'${name}' cannot handle unexpected argument '${ctx.args[3]}'.`, 'E_SYNTAX');
      if (ctx.args.length < 2) return alert(ctx, `'${name}' expects a name and a value.`);
      const env = environment(ctx);
      if (!env) return undefined;
      const [variable, value] = ctx.args as [string, string];
      const err = env.set(variable, value, name === 'setenv');
      if (err) return alert(ctx, `'${name}' failed on variable '${variable}' : ${err}.`);
      return [variable, value];
    },
  };
}

const unsetenv: SectionKeyword = {
  name: 'unsetenv',
  status: 'ready',
  multi: true,
  summary: 'removes environment variables for the following lines and the running process',
  parse(ctx) {
    if (ctx.args.length === 0) return alert(ctx, `'unsetenv' expects at least one variable name.`);
    const env = environment(ctx);
    if (!env) return undefined;
    // One by one, stopping at the first refused name (those before it are gone), as HAProxy.
    for (const variable of ctx.args) {
      const err = env.unset(variable);
      if (err) return alert(ctx, `'unsetenv' failed on variable '${variable}' : ${err}.`);
    }
    return [...ctx.args];
  },
};

const resetenv: SectionKeyword = {
  name: 'resetenv',
  status: 'ready',
  multi: true,
  summary: 'removes every environment variable but those named, for the following lines and the running process',
  parse(ctx): Json | undefined {
    const env = environment(ctx);
    if (!env) return undefined;
    env.resetExcept(ctx.args);
    return [...ctx.args];
  },
};

export const ENVIRONMENT_KEYWORDS: readonly SectionKeyword[] = [setter('setenv'), setter('presetenv'), unsetenv, resetenv];
