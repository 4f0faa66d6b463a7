// A keyword registry per kind (section keywords, bind options, server options, fetches,
// converters, actions, balancers, CLI commands ...). Feature modules add rows; `features.ts`
// installs them in one ordered list and then freezes every registry. The README's
// compatibility matrix is generated from these rows, so it cannot drift from the code.

export interface Named {
  readonly name: string;
}

export class Registry<Row extends Named> {
  private readonly rows = new Map<string, Row>();
  private frozen = false;

  constructor(readonly kind: string) {}

  /** Add a row; a later `add` of the same name is a programming error. */
  add(row: Row): this {
    if (this.frozen) throw new Error(`registry ${this.kind} is frozen (adding '${row.name}')`);
    if (this.rows.has(row.name)) throw new Error(`registry ${this.kind}: duplicate '${row.name}'`);
    this.rows.set(row.name, row);
    return this;
  }

  /** Replace a catalog placeholder by a real implementation (or add when absent). */
  override(row: Row): this {
    if (this.frozen) throw new Error(`registry ${this.kind} is frozen (overriding '${row.name}')`);
    this.rows.set(row.name, row);
    return this;
  }

  get(name: string): Row | undefined {
    return this.rows.get(name);
  }

  has(name: string): boolean {
    return this.rows.has(name);
  }

  names(): string[] {
    return [...this.rows.keys()];
  }

  all(): Row[] {
    return [...this.rows.values()];
  }

  freeze(): void {
    this.frozen = true;
  }

  get isFrozen(): boolean {
    return this.frozen;
  }
}
