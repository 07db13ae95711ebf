// @ts-check
/**
 * Builds the web dashboard into dist/dashboard/: web/src/main.ts bundled by esbuild (with @xterm/xterm
 * and its fit add-on) into assets with hashed names, and web/index.html pointing at them. The daemon
 * serves the result at `/`; `npm run build` (and so `npm install` of a clone) runs this.
 *
 * The daemon's Content-Security-Policy allows no inline style (`style-src 'self'`), and @xterm/xterm 6
 * writes its theme and cell dimensions into `<style>` elements and truecolor cells into `style`
 * attributes, both of which that policy blocks. So the bundle rewrites those few places as it reads
 * xterm's module: its `<style>` elements become elements whose text feeds a constructed stylesheet
 * adopted by the document (web/src/adopted-style.ts), and its style attributes become CSSOM writes.
 * Each rewrite must match exactly as often as expected: another xterm version fails the build here,
 * rather than drawing a terminal the policy silently breaks.
 */
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'dist/dashboard');
const ADOPTED_STYLE = join(ROOT, 'web/src/adopted-style.ts');

/** Each rewrite of xterm's module: what it finds, how many times, and what it puts instead. */
const XTERM_REWRITES = [
  {
    why: '<style> elements for the theme, the cell dimensions and the scrollbar',
    find: /\b[\w$.]+\.createElement\("style"\)/g,
    count: 3,
    replace: () => '__aegisAdoptedStyle()',
  },
  {
    why: 'a style attribute per truecolor or contrast-corrected cell',
    find: /(\w+)\.setAttribute\("style",`\$\{\1\.getAttribute\("style"\)\|\|""\}\$\{(\w+)\};`\)/g,
    count: 1,
    replace: (/** @type {string} */ _match, /** @type {string} */ cell, /** @type {string} */ css) => `${cell}.style.cssText+=\`;\${${css}};\``,
  },
];

/** @type {import('esbuild').Plugin} */
const strictCspXterm = {
  name: 'strict-csp-xterm',
  setup(b) {
    b.onLoad({ filter: /@xterm[\\/]xterm[\\/]lib[\\/]xterm\.mjs$/ }, (args) => {
      let code = readFileSync(args.path, 'utf8');
      for (const rewrite of XTERM_REWRITES) {
        const found = code.match(rewrite.find)?.length ?? 0;
        if (found !== rewrite.count) {
          throw new Error(`@xterm/xterm changed: expected ${rewrite.count} ${rewrite.why}, found ${found}; update scripts/build-dashboard.mjs`);
        }
        code = code.replace(rewrite.find, /** @type {any} */ (rewrite.replace));
      }
      const shim = `import { adoptedStyleElement as __aegisAdoptedStyle } from ${JSON.stringify(ADOPTED_STYLE)};\n`;
      return { contents: shim + code, loader: 'js' };
    });
  },
};

rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, 'assets'), { recursive: true });
const result = await build({
  entryPoints: [join(ROOT, 'web/src/main.ts')],
  outdir: join(OUT, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  platform: 'browser',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  plugins: [strictCspXterm],
});

const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
const script = outputs.find((name) => /^main-.+\.js$/.test(name));
const style = outputs.find((name) => /^main-.+\.css$/.test(name));
if (!script || !style) throw new Error(`the dashboard build made no script or stylesheet: ${outputs.join(', ')}`);
const html = readFileSync(join(ROOT, 'web/index.html'), 'utf8')
  .replace('%SCRIPT%', `/assets/${script}`)
  .replace('%STYLE%', `/assets/${style}`);
writeFileSync(join(OUT, 'index.html'), html);
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
if (process.env.AEGIS_BUILD_QUIET !== '1') console.log(`dashboard: dist/dashboard (${outputs.join(', ')}; ${(bytes / 1024).toFixed(1)} KiB)`);
