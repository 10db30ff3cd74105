import "@testing-library/jest-dom/vitest";
import "../components/kit/jsdom-polyfills";

import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => {
  cleanup();
  window.location.hash = "";
});
