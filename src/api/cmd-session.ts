// Commands about the CLI session itself: `help`, `prompt`, `quit`, `operator`, `user`,
// `show cli level`, `show cli sockets`, `set timeout cli`, `set severity-output`.
// Answers as haproxy 2.6.12 prints them.

import { parseTime } from '../config/units.js';
import { LEVEL_NAMES, LEVEL_OPER, LEVEL_USER, err, msg, type Answer, type CliCall, type CommandImpl } from './command.js';
import { usageMessage } from './usage.js';
import type { CliCommand } from './command.js';

function setTimeout(call: CliCall): Answer {
  if (call.args[2] !== 'cli') return err("'set timeout' only supports 'cli'.\n");
  const text = call.args[3];
  if (!text) return err('Expects an integer value.\n');
  // A bare number is in seconds; HAProxy keeps whole seconds.
  const r = parseTime(text, 'set timeout cli', 1000);
  const seconds = r.ok ? Math.floor(r.value / 1000) : 0;
  if (seconds < 1) return err('Invalid timeout value.\n');
  call.session.timeoutMs = seconds * 1000;
  return '';
}

function setSeverityOutput(call: CliCall): Answer {
  const v = call.args[2];
  if (v === 'none' || v === 'number' || v === 'string') {
    call.session.severityOutput = v;
    return '';
  }
  return err("one of 'none', 'number', 'string' is a required argument\n");
}

/** The session commands; `help` needs the final command list to describe it. */
export function sessionCommands(all: () => readonly CliCommand[]): readonly CommandImpl[] {
  return [
    { name: 'help', run: (call) => msg(usageMessage(all(), call.args)) },
    {
      name: 'prompt',
      run: (call) => {
        call.session.prompt = !call.session.prompt;
        return '';
      },
    },
    {
      name: 'quit',
      run: (call) => {
        call.session.quit = true;
        return '';
      },
    },
    {
      name: 'operator',
      run: (call) => {
        if (call.session.level < LEVEL_OPER) return err('Permission denied\n');
        call.session.level = LEVEL_OPER;
        return '';
      },
    },
    {
      name: 'user',
      run: (call) => {
        call.session.level = LEVEL_USER;
        return '';
      },
    },
    { name: 'show cli level', run: (call) => msg(`${LEVEL_NAMES[call.session.level]}\n`) },
    {
      name: 'show cli sockets',
      run: (call) => `# socket lvl processes\n${call.api.sockets.map((s) => `${s.label} ${LEVEL_NAMES[s.level]} all\n`).join('')}`,
    },
    { name: 'set timeout', run: setTimeout },
    { name: 'set severity-output', run: setSeverityOutput },
  ];
}
