/**
 * The modules of src/ import each other without cycles. A cycle of runtime imports makes the order in
 * which ES modules initialise matter (a class used before its module ran); a cycle of type-only
 * imports makes two files impossible to understand apart. Parsed with the TypeScript compiler the
 * project already has; tests are left out (they import freely).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

interface Edge {
  to: string;
  typeOnly: boolean;
}

/** Type-only cycles that exist today and are to be untangled; a new one fails, and so does a fixed one still listed. */
const KNOWN_TYPE_ONLY_CYCLES: string[][] = [];

/** The relative imports of one file, resolved to files: static imports, re-exports and `import()`. */
function importsOf(file: string, text: string): Edge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const edges: Edge[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) return;
    edges.push({ to: resolve(dirname(file), specifier.text.replace(/\.js$/, '.ts')), typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const namedTypesOnly = !!clause?.namedBindings && ts.isNamedImports(clause.namedBindings) && !clause.name && clause.namedBindings.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, !!clause && (clause.isTypeOnly || namedTypesOnly));
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

function sourceGraph(): Map<string, Edge[]> {
  const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => join(SRC, f));
  return new Map(files.map((file) => [file, importsOf(file, readFileSync(file, 'utf8'))]));
}

/** The cycles of a graph: its strongly connected components of more than one file, or a file importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)!.includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return found;
}

const named = (found: string[][]) => found.map((cycle) => cycle.map((file) => relative(ROOT, file))).sort();

describe('the import graph of src/', () => {
  const graph = sourceGraph();

  it('sees the imports of every module', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect([...graph.values()].flat().length).toBeGreaterThan(100);
  });

  it('has no cycle of runtime imports', () => {
    const runtime = new Map([...graph].map(([file, edges]) => [file, edges.filter((e) => !e.typeOnly).map((e) => e.to)]));
    expect(named(cycles(runtime))).toEqual([]);
  });

  it('has no cycle counting type-only imports, beyond the known ones', () => {
    const all = new Map([...graph].map(([file, edges]) => [file, edges.map((e) => e.to)]));
    expect(named(cycles(all))).toEqual(KNOWN_TYPE_ONLY_CYCLES);
  });

  it('finds a cycle and names its files', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c'], ['e']]);
  });

  it('reads static, type-only, re-exported and dynamic imports', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "import { type C, type D } from './c.js';",
      "import {\n  e,\n  type E,\n} from './e.js';",
      "export { f } from './f.js';",
      "export type { G } from './g.js';",
      "import 'node:fs';",
      "const h = await import('./h.js');",
    ].join('\n');
    const edges = importsOf('/src/x/y.ts', text).map((e) => `${e.to}${e.typeOnly ? ' (type)' : ''}`);
    expect(edges).toEqual(['/src/x/a.ts', '/src/b.ts (type)', '/src/x/c.ts (type)', '/src/x/e.ts', '/src/x/f.ts', '/src/x/g.ts (type)', '/src/x/h.ts']);
  });
});
