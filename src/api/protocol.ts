// The stats socket's line protocol, as HAProxy 2.6 speaks it (checked byte for byte against
// haproxy 2.6.12), independent of the socket:
// - a command ends at an unescaped `\n` or `;` (a trailing `\r` is dropped);
// - each answer is followed by an empty line (`\n`); in interactive mode (`prompt`) by `\n> `;
// - a line ending in `<<` starts a payload: the following lines, up to an empty one, go to the
//   command (interactive mode prompts `+ ` meanwhile);
// - non-interactive: once an answer is out and nothing more was received, the connection
//   closes (pipelined commands sent together are all answered);
// - `quit` closes at once; input ending without a line end is dropped;
// - an answer that comes later (a command asking the worker threads) holds the commands
//   behind it: answers always leave in order.

import { splitWords, type CommandLine } from './words.js';

/** What the session does after a command. */
export interface Outcome {
  readonly text: string;
  /** `quit`: close now, without the trailing empty line. */
  readonly close?: boolean;
}

export interface ProtocolHooks {
  exec(line: CommandLine, payload: string | null): Outcome | Promise<Outcome>;
  /** Whether the session is in interactive (prompt) mode now. */
  prompt(): boolean;
  write(text: string): void;
  close(): void;
}

/** HAProxy reads a command into one buffer (tune.bufsize): longer input ends the session. */
const MAX_COMMAND = 16384;

export class CliProtocol {
  private input = '';
  /** The `<<` line and the payload lines so far, while a payload is being read. */
  private payload: string[] | null = null;
  private finished = false;
  /** An answer is awaited: input is only stored meanwhile. */
  private waiting = false;
  /** The client closed while an answer was awaited. */
  private ended = false;

  constructor(private readonly hooks: ProtocolHooks) {}

  /** Bytes from the client (latin1: every byte one char). */
  feed(data: string): void {
    if (this.finished) return;
    this.input += data;
    // Awaiting an answer: what piles up behind it is bounded as a command is.
    if (this.waiting && this.input.length > MAX_COMMAND) return this.finish();
    this.run();
  }

  /** The client closed its side: answer what is complete, then close. */
  end(): void {
    if (this.waiting) {
      this.ended = true;
      return;
    }
    this.run();
    if (!this.finished) this.finish();
  }

  private finish(): void {
    this.finished = true;
    this.hooks.close();
  }

  private run(): void {
    while (!this.finished && !this.waiting) {
      const line = this.payload ? this.takePayloadLine() : this.takeCommand();
      if (line === undefined) {
        if (this.input.length > MAX_COMMAND) this.finish();
        return;
      }
      if (this.payload) {
        if (line !== '') {
          this.payload.push(line);
          if (this.hooks.prompt()) this.hooks.write('+ ');
          continue;
        }
        const [head, ...body] = this.payload;
        this.payload = null;
        if (!this.answer(splitWords(head!), body.join('\n'))) return;
      } else if (line.endsWith('<<')) {
        // Gathering mode; whether `<<` really is a separate word is decided when parsing.
        this.payload = [line];
        if (this.hooks.prompt()) this.hooks.write('+ ');
        continue;
      } else if (!this.answer(splitWords(line), null)) return;
      // Non-interactive: close once nothing more is waiting (HAProxy checks its input buffer).
      if (!this.hooks.prompt() && this.input.length === 0 && !this.payload) {
        this.finish();
        return;
      }
    }
  }

  /** Run one command and write its answer; false when the session is over or must wait. */
  private answer(line: CommandLine, payload: string | null): boolean {
    const out = this.hooks.exec(line, line.hasPayload ? payload : null);
    if (out instanceof Promise) {
      this.waiting = true;
      out
        .then((o) => {
          this.waiting = false;
          if (this.finished || !this.deliver(o)) return;
          // What arrived meanwhile, then the close rules of a non-interactive session.
          if (!this.hooks.prompt() && this.input.length === 0 && !this.payload) this.finish();
          else this.run();
          if (this.ended && !this.finished && !this.waiting) this.end();
        })
        // (exec's promise never rejects: failures are answers. A write to a gone socket is
        // the one thing that can throw here; the session is over then.)
        .catch(() => this.finished || this.finish());
      return false;
    }
    return this.deliver(out);
  }

  private deliver(out: Outcome): boolean {
    if (out.close) {
      this.finish();
      return false;
    }
    this.hooks.write(out.text + (this.hooks.prompt() ? '\n> ' : '\n'));
    return true;
  }

  /** The next command: up to an unescaped `;` or `\n`, without it and a trailing `\r`. */
  private takeCommand(): string | undefined {
    const s = this.input;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === ';' || c === '\n') {
        this.input = s.slice(i + 1);
        const line = s.slice(0, i);
        return line.endsWith('\r') ? line.slice(0, -1) : line;
      }
    }
    return undefined;
  }

  /** Payload lines are taken whole: no escapes, no `;`. */
  private takePayloadLine(): string | undefined {
    const i = this.input.indexOf('\n');
    if (i < 0) return undefined;
    const line = this.input.slice(0, i);
    this.input = this.input.slice(i + 1);
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  }
}
