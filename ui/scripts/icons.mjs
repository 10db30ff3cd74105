// Regenerates the app icons in /icons from /icons/icon.svg:
//   npm run icons
// Runs the Tauri CLI's generator, then drops the mobile / Windows Store extras
// the desktop bundle doesn't use.
import { execFileSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ui = join(dirname(fileURLToPath(import.meta.url)), "..");
const icons = join(ui, "..", "icons");
const tauri = join(
  ui,
  "node_modules",
  ".bin",
  process.platform === "win32" ? "tauri.cmd" : "tauri",
);

execFileSync(tauri, ["icon", join(icons, "icon.svg"), "-o", icons], { stdio: "inherit" });

for (const name of readdirSync(icons)) {
  if (/^(android|ios|Square\d+x\d+Logo\.png|StoreLogo\.png)$/.test(name)) {
    rmSync(join(icons, name), { recursive: true, force: true });
  }
}
