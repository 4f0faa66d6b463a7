// Configuration diagnostics, collected (never thrown) so that one run reports every problem,
// then printed in HAProxy's exact shape so log scrapers and test drivers keep working:
//   [ALERT]    (1234) : config : parsing [file.cfg:12] : message
// Codes are stable identifiers for tests and tooling; the text is what HAProxy prints.

export interface Loc {
  readonly file: string;
  readonly line: number;
}

export type Severity = 'alert' | 'warning' | 'notice' | 'diag';

export interface Diagnostic {
  readonly severity: Severity;
  readonly code: DiagCode;
  readonly loc?: Loc;
  readonly message: string;
  /** Extra lines printed verbatim under the message (callers add HAProxy's '   | ' where it has one). */
  readonly detail?: readonly string[];
  /**
   * How HAProxy prefixes the location: 'parsing [f:l] : ' (default), 'parsing [f:l]: ' (tight,
   * tokenizer and rule-set errors) or '[f:l] : ' (bracket, server lines).
   */
  readonly style?: 'tight' | 'bracket';
  /** An [ALERT] HAProxy prints and goes on from (the configuration stays valid). */
  readonly nonFatal?: boolean;
}

/** Stable codes: tests assert on these, never on wording alone. */
export type DiagCode =
  | 'E_UNKNOWN_KEYWORD'
  | 'E_NOT_IMPLEMENTED'
  | 'E_BAD_ARG'
  | 'E_MISSING_ARG'
  | 'E_SYNTAX'
  | 'E_CAPABILITY'
  | 'E_DUPLICATE'
  | 'E_REFERENCE'
  | 'E_CONDITION'
  | 'E_FILE'
  | 'E_DIRECTIVE'
  | 'E_UNSUPPORTED'
  | 'W_IGNORED'
  | 'W_DEPRECATED'
  | 'W_CONFIG'
  | 'N_DIRECTIVE';

const TAGS: Record<Severity, string> = {
  alert: '[ALERT]   ',
  warning: '[WARNING] ',
  notice: '[NOTICE]  ',
  diag: '[DIAG]    ',
};

export class Diagnostics {
  readonly items: Diagnostic[] = [];
  /** Parsing stopped on purpose (`.alert`), as HAProxy's ERR_ABORT: nothing after it is checked. */
  aborted = false;
  /** Items the post-parse checks produced (HAProxy's check_config_validity). */
  readonly postParse = new Set<Diagnostic>();
  /** Upper bound so a hostile config cannot make us allocate without limit. */
  static readonly MAX_ITEMS = 10_000;

  alert(code: DiagCode, loc: Loc | undefined, message: string, detail?: readonly string[], style?: 'tight' | 'bracket'): void {
    this.push({ severity: 'alert', code, loc, message, detail, style });
  }

  /** An [ALERT] that does not make the configuration invalid (HAProxy prints some). */
  alertNonFatal(code: DiagCode, loc: Loc | undefined, message: string, style?: 'tight' | 'bracket'): void {
    this.push({ severity: 'alert', code, loc, message, style, nonFatal: true });
  }

  warning(code: DiagCode, loc: Loc | undefined, message: string, detail?: readonly string[], style?: 'tight' | 'bracket'): void {
    this.push({ severity: 'warning', code, loc, message, detail, style });
  }

  notice(loc: Loc | undefined, message: string, style?: 'tight' | 'bracket'): void {
    this.push({ severity: 'notice', code: 'N_DIRECTIVE', loc, message, style });
  }

  diag(loc: Loc | undefined, message: string, style?: 'tight' | 'bracket'): void {
    this.push({ severity: 'diag', code: 'N_DIRECTIVE', loc, message, style });
  }

  get alerts(): number {
    return this.items.filter((d) => d.severity === 'alert' && !d.nonFatal).length;
  }

  get warnings(): number {
    return this.items.filter((d) => d.severity === 'warning').length;
  }

  private push(d: Diagnostic): void {
    if (this.items.length < Diagnostics.MAX_ITEMS) this.items.push(d);
  }
}

/** One diagnostic as HAProxy prints it (without trailing newline). */
export function formatDiagnostic(d: Diagnostic, pid: number): string {
  const at = d.loc ? `[${d.loc.file}:${d.loc.line}]` : '';
  const where = !d.loc ? '' : d.style === 'bracket' ? `${at} : ` : d.style === 'tight' ? `parsing ${at}: ` : `parsing ${at} : `;
  let out = `${TAGS[d.severity]} (${pid}) : config : ${where}${d.message}`;
  for (const extra of d.detail ?? []) out += `\n${extra}`;
  return out;
}

/** Quote a keyword the way HAProxy's messages do. */
export function q(word: string): string {
  return `'${word}'`;
}
