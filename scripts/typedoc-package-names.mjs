// TypeDoc plugin: names each entry-point module after the import path people use
// (`packages/ledger/src/node.ts` → `@ailo/ledger/node`) instead of its folder (`ledger/src/node`).
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const mod of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const m = /^([a-z0-9-]+)\/src(?:\/([a-z0-9-]+))?$/.exec(mod.name);
      if (m) mod.name = `@ailo/${m[1]}${m[2] ? `/${m[2]}` : ''}`;
    }
  });
}
