// Progressive mounting: a panel's parts below its top mount one per task after the panel, in page order, so that
// opening a panel while a run streams is several short main-thread tasks instead of one long one (issue 16 item 14:
// every task under 100 ms). A part waits behind the one before it has rendered; until then it holds its place.
import { useEffect, useRef, useState, type ReactNode } from 'react';

const waiting: (() => void)[] = [];
let busy = false;

/** Mounts the next waiting part in a task of its own. */
function pump(): void {
  if (busy) return;
  const mount = waiting.shift();
  if (!mount) return;
  busy = true;
  setTimeout(mount, 0);
}

/** The part in hand has rendered (or is gone): the next one may go. */
function next(): void {
  busy = false;
  pump();
}

export function Later(props: { children: ReactNode; minHeight?: number }) {
  const [shown, setShown] = useState(false);
  // Whether this part holds the turn: its mount ran and it has not handed the turn on yet.
  const holding = useRef(false);
  useEffect(() => {
    let live = true;
    const mount = () => {
      if (!live) return next();
      holding.current = true;
      setShown(true);
    };
    waiting.push(mount);
    pump();
    return () => {
      live = false;
      const at = waiting.indexOf(mount);
      if (at >= 0) waiting.splice(at, 1);
      if (holding.current) {
        holding.current = false;
        next();
      }
    };
  }, []);
  useEffect(() => {
    if (shown && holding.current) {
      holding.current = false;
      next();
    }
  }, [shown]);
  return shown ? <>{props.children}</> : <div className="later" style={{ minHeight: props.minHeight ?? 120 }} aria-hidden="true" />;
}
