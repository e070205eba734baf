// The raw-SQL surface tests use to look at rows directly: the subset of D1's API they need. On D1
// it is the binding itself; on libSQL test/node/raw-libsql.ts implements it over the same client.

export interface RawStatement {
  bind(...values: unknown[]): RawStatement;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  all<T = Record<string, unknown>>(): Promise<{ results: T[] }>;
  run(): Promise<unknown>;
}

export interface RawDb {
  prepare(query: string): RawStatement;
  batch(statements: RawStatement[]): Promise<unknown[]>;
}
