import { fileURLToPath } from "node:url";

import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// React's API, Preact's runtime (preact/compat): react-dom was 202 kB of the 481 kB the window
// parses and runs before its first paint; Preact is about a tenth of that. The app, Radix,
// TanStack Query/Virtual and Testing Library import `react` and get Preact, in the build, the
// dev server and the tests alike (docs/benchmarks.md, the desktop section).
const preactAliases = [
  { find: /^react$/, replacement: fileURLToPath(new URL("src/preactCompat.js", import.meta.url)) },
  { find: /^react-dom$/, replacement: "preact/compat" },
  { find: /^react-dom\/client$/, replacement: "preact/compat/client" },
  { find: /^react-dom\/test-utils$/, replacement: "preact/test-utils" },
  { find: /^react\/jsx-runtime$/, replacement: "preact/compat/jsx-runtime" },
  { find: /^react\/jsx-dev-runtime$/, replacement: "preact/compat/jsx-dev-runtime" },
];

// Tauri expects a fixed dev-server port and serves `dist` in production.
export default defineConfig({
  // The plugin for the JSX transform only: React Fast Refresh patches React's renderer, which
  // is not there (an edit reloads the page instead).
  plugins: [react({ refreshExclude: /./ })],
  resolve: {
    alias: preactAliases,
    // Vite's own order for the browser. Vitest resolves with none (a package's `main`, often
    // CommonJS, whose `require("react")` would pass the aliases by).
    mainFields: ["browser", "module", "jsnext:main", "jsnext"],
  },
  clearScreen: false,
  envPrefix: ["VITE_", "TAURI_"],
  server: {
    port: 1420,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    rolldownOptions: {
      output: {
        codeSplitting: {
          // What the first screen loads is one file: every module the entry imports
          // statically stays in the entry's chunk, even when a lazily loaded part (a screen,
          // a dialog, the menu) imports it too. Left to itself the bundler moves such shared
          // modules (the UI library, the kit) into chunks of their own, more files to fetch
          // before the first render. scripts/check-ui-bundle.sh checks the result.
          groups: [{ name: "index", tags: ["$initial"] }],
        },
      },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    exclude: ["dist/**", "node_modules/**"],
    restoreMocks: true,
    // The dependencies that import `react` go through the aliases too (Node would load React).
    server: {
      deps: {
        inline: [
          /@testing-library\/react/,
          /radix-ui/,
          /@radix-ui\//,
          /@floating-ui\/react-dom/,
          /@tanstack\//,
          /react-remove-scroll/,
          /react-style-singleton/,
          /use-callback-ref/,
          /use-sidecar/,
        ],
      },
    },
  },
});
