// Build step: copy the protoc-gen-es output (the repository's generated/typescript, produced only by
// scripts/generate) into src/gen, so the package compiles and ships it as its own code.
import { cpSync, existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const source = join(here, "..", "..", "generated", "typescript");
const target = join(here, "src", "gen");
if (!existsSync(source)) {
  console.error(`copy-generated: ${source} is missing (run scripts/generate in the repository)`);
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
cpSync(source, target, { recursive: true });
