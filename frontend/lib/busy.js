// Progress indication for slow requests: while any request is in flight, #main gets
// aria-busy="true"; when one has taken longer than SHOW_AFTER_MS a visible spinner appears.

export const SHOW_AFTER_MS = 300;

let pending = 0;
let timer = null;

function els() {
  return { main: document.getElementById("main"), spinner: document.getElementById("busy") };
}

export function begin() {
  pending += 1;
  if (pending === 1) {
    const { main } = els();
    main?.setAttribute("aria-busy", "true");
    timer = setTimeout(() => {
      const { spinner } = els();
      if (pending > 0 && spinner) spinner.hidden = false;
    }, SHOW_AFTER_MS);
  }
}

export function end() {
  pending = Math.max(0, pending - 1);
  if (pending === 0) {
    clearTimeout(timer);
    timer = null;
    const { main, spinner } = els();
    main?.removeAttribute("aria-busy");
    if (spinner) spinner.hidden = true;
  }
}

/** Run `fn` (async) with the busy indicator on. */
export async function during(fn) {
  begin();
  try {
    return await fn();
  } finally {
    end();
  }
}
