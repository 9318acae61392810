// Loads the crypto bundle (src/bin/crypto.rs) on the page when a step first needs it, and
// only once. The app's own module then calls the bundle's exports; both run on the page's
// thread, the bundle's long work cut into short slices.

const loading = new Map();

// Resolves to the bundle's module, initialised. A failed load is forgotten, so a later call
// tries again.
export function cryptoBundle(glueUrl) {
  let bundle = loading.get(glueUrl);
  if (!bundle) {
    bundle = import(glueUrl).then(async (glue) => {
      // wasm-bindgen names a bundle's module after its glue: x.js → x_bg.wasm, next to it.
      await glue.default({ module_or_path: `${glueUrl.replace(/\.js$/, "")}_bg.wasm` });
      return glue;
    });
    loading.set(glueUrl, bundle);
    bundle.catch(() => loading.delete(glueUrl));
  }
  return bundle;
}
