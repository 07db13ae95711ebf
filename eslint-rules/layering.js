// @ts-check
/**
 * The layering rule: each part of src/ (a folder, or a module at its root) may import only what its
 * entry in the layer table allows, in the manner of VS Code's import patterns. The table is an
 * allow-list: a folder with no entry is itself an error, so a new folder has to say what it depends on.
 *
 * Every import is resolved to the file it names before it is judged, however it is spelled
 * (`../store/x.js`, `./../store/x.js`, `../sessions/../store/x.js`, an absolute path or a `file:` URL);
 * a specifier that is neither a path nor a package the layer may use (a subpath import `#x`, the
 * project's own package name) is refused. Static imports, re-exports, `import()`, `import x = require()`
 * and `import('…')` types all count; an import that names only types may be allowed where a runtime
 * import is not.
 */
import { builtinModules } from 'node:module';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {object} Layer
 * @property {string} why              what the layer is, said when it reaches for something it may not
 * @property {string[]} [may]           the other parts of src/ it may import ('types:x' allows only types from x)
 * @property {string[]} [packages]      the packages it may import: a name, a prefix ending in `*`, or NODE
 * @property {boolean} [staticImports]  it loads its modules statically, so that this rule sees them all
 */

/** In a layer's `packages`: Node's own modules, except those that start processes. */
export const NODE = 'node:';
/** The Node modules that start processes, allowed by name where a layer may start them. */
const PROCESS_MODULES = new Set(['child_process', 'cluster']);

/** @param {string} specifier */
function builtinName(specifier) {
  const name = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  return builtinModules.includes(name) ? name : undefined;
}

/** @param {string} specifier the package a bare specifier names (`@scope/name` or `name`) */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * @param {string} specifier
 * @param {string[]} allowed
 */
function packageAllowed(specifier, allowed) {
  const builtin = builtinName(specifier);
  if (builtin !== undefined) {
    const base = builtin.split('/')[0];
    if (allowed.includes(`node:${base}`)) return true;
    return allowed.includes(NODE) && !PROCESS_MODULES.has(base);
  }
  const name = packageName(specifier);
  return allowed.some((pattern) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern));
}

/**
 * The part of src/ a path is in: its first folder, or the module's file name (`errors.ts`) at the root.
 * @param {string} srcDir
 * @param {string} path
 * @returns {string | undefined} undefined outside src/
 */
function partOf(srcDir, path) {
  const inside = relative(srcDir, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return undefined;
  const [first, ...rest] = inside.split(sep);
  return rest.length === 0 ? first.replace(/\.js$/, '.ts') : first;
}

/**
 * The file a specifier names, or undefined for a package.
 * @param {string} specifier
 * @param {string} fromFile
 */
function resolvedPath(specifier, fromFile) {
  if (specifier.startsWith('file:')) return fileURLToPath(specifier);
  if (specifier.startsWith('.') || isAbsolute(specifier)) return resolve(dirname(fromFile), specifier);
  return undefined;
}

/** @param {any} node an import or export declaration */
function namesOnlyTypes(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((/** @type {any} */ s) => s.importKind === 'type' || s.exportKind === 'type');
}

/** @type {import('eslint').Rule.RuleModule} */
export const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Each part of src/ imports only what its layer allows' },
    schema: [{ type: 'object', properties: { srcDir: { type: 'string' }, layers: { type: 'object' }, root: { type: 'string' } }, required: ['srcDir', 'layers'], additionalProperties: false }],
  },
  create(context) {
    // root: how messages name the checked tree (`src`, or `web` for the dashboard's own sources).
    const { srcDir, layers, root = 'src' } = /** @type {{ srcDir: string, layers: Record<string, Layer>, root?: string }} */ (context.options[0]);
    const file = context.filename;
    const part = partOf(srcDir, file);
    if (part === undefined) return {};
    const layer = layers[part];
    const name = part.endsWith('.ts') ? `${root}/${part}` : `${root}/${part}/`;
    if (!layer) {
      return {
        Program(node) {
          context.report({ node, message: `${name} has no layering rule: list what it may import in the layer table of eslint.config.js` });
        },
      };
    }
    const may = layer.may ?? [];

    /**
     * @param {any} node
     * @param {string} specifier
     * @param {boolean} typesOnly
     */
    const check = (node, specifier, typesOnly) => {
      const path = resolvedPath(specifier, file);
      if (path === undefined) {
        if (packageAllowed(specifier, layer.packages ?? [])) return;
        context.report({ node, message: `${name} may not import '${specifier}': ${layer.why}` });
        return;
      }
      const target = partOf(srcDir, path);
      if (target === part) return;
      if (target === undefined) {
        context.report({ node, message: `${name} may not import '${specifier}': ${root}/ imports only from ${root}/ and packages` });
        return;
      }
      if (may.includes(target) || (typesOnly && may.includes(`types:${target}`))) return;
      const targetName = target.endsWith('.ts') ? `${root}/${target}` : `${root}/${target}/`;
      const onlyTypes = may.includes(`types:${target}`) ? ` (only its types)` : '';
      context.report({ node, message: `${name} may not import ${targetName}${onlyTypes}: ${layer.why}` });
    };

    /** @param {any} node */
    const declaration = (node) => {
      if (node.source?.type === 'Literal' && typeof node.source.value === 'string') check(node.source, node.source.value, namesOnlyTypes(node));
    };

    return {
      ImportDeclaration: declaration,
      ExportNamedDeclaration: declaration,
      ExportAllDeclaration: declaration,
      ImportExpression(node) {
        if (layer.staticImports) {
          context.report({ node, message: `${name} imports statically, so that its layering can be checked` });
          return;
        }
        if (node.source.type === 'Literal' && typeof node.source.value === 'string') check(node.source, node.source.value, false);
      },
      /** @param {any} node `import('…').Name` in a type */
      TSImportType(node) {
        const literal = node.argument?.literal ?? node.argument;
        if (literal?.type === 'Literal' && typeof literal.value === 'string') check(node, literal.value, true);
      },
      /** @param {any} node `import x = require('…')` */
      TSImportEqualsDeclaration(node) {
        const reference = node.moduleReference;
        if (reference.type === 'TSExternalModuleReference' && reference.expression.type === 'Literal') check(reference, reference.expression.value, node.importKind === 'type');
      },
    };
  },
};
