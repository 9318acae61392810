// The password strength meter's worker: zxcvbn and its dictionaries are a bundle of their
// own, loaded when the password step opens, and the estimate runs off the page's thread.
//
// One file is both sides, as keygen-worker.js: on the page it exports strengthStart() and
// strengthEstimate(); started as a module worker it imports the strength bundle's glue and
// answers one message per estimate. The password goes to this worker only, never to a server.

const IN_WORKER =
  typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope;

let started = null;
let worker = null;
let nextId = 1;
const pending = new Map();

function failAll(error) {
  for (const { reject } of pending.values()) reject(error);
  pending.clear();
}

// Starts the worker once and resolves when its bundle is loaded. A failed start is
// forgotten, so a later call tries again.
export function strengthStart(glueUrl) {
  if (started) return started;
  started = new Promise((resolve, reject) => {
    try {
      worker = new Worker(new URL(import.meta.url), { type: "module" });
    } catch (e) {
      reject(new Error(`the strength worker cannot start: ${e}`));
      return;
    }
    worker.onerror = (e) => {
      e.preventDefault();
      const error = new Error(`the strength worker failed: ${e.message || "not loaded"}`);
      reject(error);
      failAll(error);
    };
    worker.onmessage = (e) => {
      const m = e.data || {};
      if (m.ready) {
        worker.postMessage({ load: glueUrl });
      } else if (m.loaded) {
        resolve();
      } else if (m.loadError) {
        reject(new Error(m.loadError));
      } else if (pending.has(m.id)) {
        const { resolve: done, reject: fail } = pending.get(m.id);
        pending.delete(m.id);
        if (m.error) fail(new Error(m.error));
        else done(m.result);
      }
    };
  });
  started.catch(() => {
    if (worker) worker.terminate();
    worker = null;
    started = null;
  });
  return started;
}

// Resolves to { score, guessesLog10, warning, suggestions } for one password.
export async function strengthEstimate(password, inputs) {
  if (!started) throw new Error("the strength worker is not started");
  await started;
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, password, inputs });
  });
}

if (IN_WORKER && !self.certdeskStrengthWorker) {
  self.certdeskStrengthWorker = true;
  let glue = null;
  self.onmessage = async (e) => {
    const m = e.data || {};
    if (m.load) {
      try {
        glue = await import(m.load);
        // wasm-bindgen names a bundle's module after its glue: x.js → x_bg.wasm, next to it.
        await glue.default({ module_or_path: `${m.load.replace(/\.js$/, "")}_bg.wasm` });
        self.postMessage({ loaded: true });
      } catch (err) {
        self.postMessage({ loadError: String(err && err.message ? err.message : err) });
      }
      return;
    }
    try {
      self.postMessage({ id: m.id, result: glue.certdeskStrength(m.password, m.inputs) });
    } catch (err) {
      self.postMessage({ id: m.id, error: String(err && err.message ? err.message : err) });
    }
  };
  self.postMessage({ ready: true });
}
