//! The pure-Rust generator in its Web Worker, in headless Chromium: valid keys of every type,
//! and a page that keeps running while RSA primes are searched.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use certdesk_frontend::crypto;
use shared::pki::KeyType;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// What the keygen bundle exports: the worker loads this test's own module in its place.
#[wasm_bindgen(js_name = certdeskGeneratePkcs8)]
pub fn generate_pkcs8(key_type: &str) -> Result<Vec<u8>, JsValue> {
    crypto::generate_pkcs8(key_type)
}

fn use_this_module_in_the_worker() {
    crypto::use_keygen_bundle(&crypto::own_glue_url());
}

/// Watches the page's thread: the longest task the browser reports (PerformanceObserver
/// "longtask", tasks of 50 ms and more) and a 10 ms timer's ticks and longest gap.
#[wasm_bindgen(inline_js = r#"
export function watchMainThread() {
  const w = { longest: 0, ticks: 0, maxGap: 0, last: performance.now(), stopped: false };
  w.observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.longest = Math.max(w.longest, e.duration);
  });
  w.observer.observe({ type: "longtask" });
  const tick = () => {
    if (w.stopped) return;
    const now = performance.now();
    w.maxGap = Math.max(w.maxGap, now - w.last);
    w.last = now;
    w.ticks += 1;
    setTimeout(tick, 10);
  };
  setTimeout(tick, 10);
  return w;
}
export async function stopWatching(w) {
  // Long-task entries arrive after their task: give them a moment.
  await new Promise((r) => setTimeout(r, 100));
  w.stopped = true;
  for (const e of w.observer.takeRecords()) w.longest = Math.max(w.longest, e.duration);
  w.observer.disconnect();
  return [w.longest, w.ticks, w.maxGap];
}
export function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}
"#)]
extern "C" {
    type Watch;
    #[wasm_bindgen(js_name = watchMainThread)]
    fn watch_main_thread() -> Watch;
    #[wasm_bindgen(js_name = stopWatching)]
    async fn stop_watching(w: Watch) -> JsValue;
    fn busy(ms: f64);
}

/// (longest task in ms, timer ticks, longest gap between ticks in ms)
async fn stop(w: Watch) -> (f64, u32, f64) {
    let v: Vec<f64> = js_sys::Array::from(&stop_watching(w).await)
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    (v[0], v[1] as u32, v[2])
}

#[wasm_bindgen_test]
async fn the_worker_generates_a_valid_key_of_every_type() {
    use_this_module_in_the_worker();
    for t in KeyType::ALL {
        let t0 = js_sys::Date::now();
        let key = crypto::generate_key_in_worker(t).await.unwrap();
        wasm_bindgen_test::console_log!("{t}: {} ms", js_sys::Date::now() - t0);
        common::assert_valid_key(&key, t);
    }
}

#[wasm_bindgen_test]
async fn the_page_stays_responsive_while_the_worker_generates_rsa_3072() {
    // The watcher must see a blocked page, or its silence below would prove nothing.
    let w = watch_main_thread();
    busy(150.0);
    let (blocked, _, _) = stop(w).await;
    assert!(blocked >= 150.0, "long task not seen: {blocked} ms");

    use_this_module_in_the_worker();
    let w = watch_main_thread();
    let key = crypto::generate_key_in_worker(KeyType::Rsa3072)
        .await
        .unwrap();
    let (longest, ticks, gap) = stop(w).await;
    common::assert_valid_key(&key, KeyType::Rsa3072);
    assert!(
        longest < 100.0,
        "a task of {longest} ms blocked the page (timer: {ticks} ticks, longest gap {gap} ms)"
    );
    assert!(ticks >= 5, "the timer ticked only {ticks} times");
}
