// ESLint rule: imports go one way (DESIGN.md). ui -> protocol -> lib; worker/cli -> engine -> formats -> protocol -> lib.
// engine/ never imports React, the DOM-only libraries or node:*; ui/ never imports @tensorflow/*.
import { dirname, resolve, relative, sep } from 'node:path';

const SRC = resolve(import.meta.dirname, '..', 'src');
const ALLOWED = {
  lib: ['lib'],
  protocol: ['protocol', 'lib'],
  formats: ['formats', 'protocol', 'lib'],
  engine: ['engine', 'formats', 'protocol', 'lib'],
  worker: ['worker', 'engine', 'formats', 'protocol', 'lib'],
  cli: ['cli', 'engine', 'formats', 'protocol', 'lib'],
  ui: ['ui', 'protocol', 'lib'],
};
const FORBIDDEN_PACKAGES = {
  lib: [/^react/, /^@tensorflow\//, /^node:/],
  protocol: [/^react/, /^@tensorflow\//, /^node:/],
  formats: [/^react/, /^@tensorflow\//, /^node:/],
  engine: [/^react/, /^recharts/, /^zustand/, /^node:/],
  ui: [/^@tensorflow\//, /^node:/],
};

function zoneOf(file) {
  const rel = relative(SRC, file);
  if (rel.startsWith('..')) return null;
  return rel.split(sep)[0];
}

export const layerImports = {
  meta: { type: 'problem', schema: [], messages: { bad: '{{from}}/ may not import {{what}} (see docs/ARCHITECTURE.md)' } },
  create(context) {
    const file = context.filename;
    const zone = zoneOf(file);
    if (!zone || !(zone in ALLOWED)) return {};
    function check(node, source) {
      if (typeof source !== 'string') return;
      // A worker's URL (Vite `?worker&url`) is a string, not its code: the page may start a worker it does not import.
      if (source.endsWith('?worker&url')) return;
      if (source.startsWith('.')) {
        const target = zoneOf(resolve(dirname(file), source));
        if (target && !ALLOWED[zone].includes(target)) {
          context.report({ node, messageId: 'bad', data: { from: zone, what: `${target}/` } });
        }
      } else if ((FORBIDDEN_PACKAGES[zone] ?? []).some((re) => re.test(source))) {
        context.report({ node, messageId: 'bad', data: { from: zone, what: source } });
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
