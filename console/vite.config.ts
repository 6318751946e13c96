/// <reference types="vitest/config" />
// Builds the console into console/dist (served by the edge under /console/, index.html for every
// client route). The generated protobuf-es code lives outside this folder (../generated/typescript);
// its bare imports resolve to this folder's node_modules (dedupe), so one protobuf runtime is bundled.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** Copies files served at fixed, unhashed paths: the API-docs renderer (RapiDoc, one self-contained
 *  file, also loaded by TimeSide's server-rendered /timeside/api/docs/) and the official TAMS OpenAPI
 *  document with the schemas and examples it references. */
function fixedFiles(): Plugin {
  return {
    name: "polyphony-fixed-files",
    generateBundle() {
      const files: [string, string][] = [
        ["node_modules/rapidoc/dist/rapidoc-min.js", "vendor/rapidoc-min.js"],
        ["node_modules/rapidoc/dist/rapidoc-min.js.LICENSE.txt", "vendor/rapidoc-min.js.LICENSE.txt"],
        ["node_modules/rapidoc/LICENSE.txt", "vendor/rapidoc.LICENSE.txt"],
        ["../specs/tams/LICENSE", "specs/tams/LICENSE"],
      ];
      const tams = here("../specs/tams/api");
      for (const path of walk(tams)) files.push([path, `specs/tams/api/${relative(tams, path)}`]);
      for (const [from, to] of files) {
        this.emitFile({ type: "asset", fileName: to, source: readFileSync(from.startsWith("/") ? from : here(from)) });
      }
    },
  };
}

export default defineConfig({
  base: "/console/",
  plugins: [fixedFiles()],
  resolve: {
    alias: { "@gen": here("../generated/typescript") },
    dedupe: ["@bufbuild/protobuf", "@connectrpc/connect"],
  },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, manifest: true, chunkSizeWarningLimit: 1200 },
  test: { include: ["tests/**/*.test.ts"], environment: "node" },
});
