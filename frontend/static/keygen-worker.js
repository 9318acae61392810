// Pure-Rust key generation off the main thread, for browsers whose WebCrypto is missing or
// refuses a key type: RSA takes seconds there and would freeze the page.
//
// This one file is both sides. The app's WebAssembly glue imports it on the page, where it
// exports generateInWorker(); generateInWorker() starts this same file as a module worker,
// which imports the keygen bundle's glue, instantiates it and makes one key. A file rather
// than a blob: URL, so the Content-Security-Policy can keep `worker-src 'self'`.

const IN_WORKER =
  typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope;

// Resolves to the key as PKCS#8 DER (a Uint8Array). Rejects with the worker's message, or
// with a plain description if it could not start (no module workers, a blocked download).
export function generateInWorker(glueUrl, keyType) {
  return new Promise((resolve, reject) => {
    let worker;
    try {
      worker = new Worker(new URL(import.meta.url), { type: "module" });
    } catch (e) {
      reject(new Error(`the key generation worker cannot start: ${e}`));
      return;
    }
    const finish = (settle, value) => {
      worker.terminate();
      settle(value);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      finish(reject, new Error(`the key generation worker failed: ${e.message || "not loaded"}`));
    };
    worker.onmessageerror = () =>
      finish(reject, new Error("the key generation worker's answer was unreadable"));
    worker.onmessage = (e) => {
      const m = e.data || {};
      if (m.ready) {
        // The job goes only after the worker said it listens: no message is lost.
        worker.postMessage({ glueUrl, keyType });
      } else if (m.pkcs8 instanceof Uint8Array) {
        finish(resolve, m.pkcs8);
      } else {
        finish(reject, new Error(m.error || "the key generation worker answered nothing"));
      }
    };
  });
}

async function generate({ glueUrl, keyType }) {
  const glue = await import(glueUrl);
  // wasm-bindgen names a bundle's module after its glue: x.js → x_bg.wasm, next to it.
  await glue.default({ module_or_path: `${glueUrl.replace(/\.js$/, "")}_bg.wasm` });
  return glue.certdeskGeneratePkcs8(keyType);
}

if (IN_WORKER && !self.certdeskKeygenWorker) {
  // Listen once, should this module ever be evaluated twice in the worker.
  self.certdeskKeygenWorker = true;
  self.onmessage = async (e) => {
    try {
      const pkcs8 = await generate(e.data);
      self.postMessage({ pkcs8 }, [pkcs8.buffer]);
    } catch (err) {
      self.postMessage({ error: String(err && err.message ? err.message : err) });
    }
  };
  self.postMessage({ ready: true });
}
