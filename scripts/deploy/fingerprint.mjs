// A fingerprint of what `wrangler deploy` would upload: the sources, the lock file and the generated
// config. It is the deployed version's tag (`wrangler deploy --tag`), so a second run can tell that
// the deployed Worker is already this one without uploading it again.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else out.push(path);
  }
  return out;
}

export function fingerprint(root, deployConfigText) {
  const hash = createHash("sha256");
  for (const path of [...files(join(root, "src")), join(root, "package-lock.json")]) {
    hash.update(relative(root, path)).update("\0").update(readFileSync(path)).update("\0");
  }
  hash.update(deployConfigText.replace(/"[^"]*\/(src\/index\.ts|migrations)"/g, '"$1"'));
  return `facteur-${hash.digest("hex").slice(0, 16)}`;
}
