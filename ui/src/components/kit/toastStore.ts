import type { ReactNode } from "react";

export type ToastTone = "success" | "error" | "info";

export type ToastInput = { title: ReactNode; description?: ReactNode; tone: ToastTone };

export type ToastEntry = ToastInput & { id: number };

type Listener = () => void;

let nextId = 1;
let entries: readonly ToastEntry[] = [];
const listeners = new Set<Listener>();

function emit() {
  for (const l of listeners) l();
}

/** Shows a toast in the mounted `<Toaster />` (auto-dismissed after 5 s). Returns its id. */
export function toast(input: ToastInput): number {
  const id = nextId++;
  // Keep the last few: a burst of results should not bury the window.
  entries = [...entries, { ...input, id }].slice(-4);
  emit();
  return id;
}

export function dismissToast(id: number): void {
  const next = entries.filter((e) => e.id !== id);
  if (next.length === entries.length) return;
  entries = next;
  emit();
}

/** Forgets every toast (tests). */
export function clearToasts(): void {
  entries = [];
  emit();
}

export function subscribeToasts(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function getToasts(): readonly ToastEntry[] {
  return entries;
}
