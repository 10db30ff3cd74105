import { useEffect, useRef } from "react";

/** A backend event subscription from `ipc.ts`: resolves to its unlisten function. */
export type Subscribe<T> = (cb: (payload: T) => void) => Promise<() => void>;

/**
 * Subscribes once to a backend event for the component's lifetime and calls
 * the latest `handler` on each event. Unsubscribes on unmount, also when the
 * subscription resolves after the component is gone.
 */
export function useBackendEvent<T>(
  subscribe: Subscribe<T>,
  handler: (payload: T) => void,
  what: string,
): void {
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  }, [handler]);

  useEffect(() => {
    let disposed = false;
    let unlisten: (() => void) | undefined;
    subscribe((payload) => latest.current(payload)).then(
      (fn) => {
        if (disposed) fn();
        else unlisten = fn;
      },
      (error: unknown) => {
        console.error(`Could not subscribe to ${what}`, error);
      },
    );
    return () => {
      disposed = true;
      unlisten?.();
    };
  }, [subscribe, what]);
}
