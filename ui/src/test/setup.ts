import "@testing-library/jest-dom/vitest";
import "./jsdom-polyfills";

import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

import { clearBackend } from "./ipcMock";

afterEach(() => {
  cleanup();
  clearBackend();
  window.location.hash = "";
});
