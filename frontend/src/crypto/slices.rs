//! Long WebAssembly work on the page's thread, cut into slices with the page getting a turn
//! in between, so that no task grows long enough to make the page stutter (browsers call a
//! task of 50 ms long).

use js_sys::Promise;
use shared::pki::MacKeyDerivation;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Milliseconds of work per slice, well below the 50 ms of a long task.
const SLICE_MS: f64 = 20.0;
/// Iterations between looks at the clock (about a millisecond's worth).
const ROUNDS: u32 = 2_000;

/// Runs the derivation to its end.
pub async fn run(derivation: &mut MacKeyDerivation) {
    loop {
        let start = js_sys::Date::now();
        while js_sys::Date::now() - start < SLICE_MS {
            if derivation.run(ROUNDS) {
                return;
            }
        }
        yield_to_page().await;
    }
}

/// Resolves in a new task, after input, rendering and other tasks had their turn. A message
/// to itself rather than setTimeout, whose nested calls browsers delay by 4 ms each.
async fn yield_to_page() {
    // Held until the message is back, so nothing can collect the ports before.
    let channel = web_sys::MessageChannel::new().ok();
    let promise = Promise::new(&mut |resolve, _| {
        let sent = channel.as_ref().is_some_and(|c| {
            c.port1().set_onmessage(Some(&resolve));
            c.port2().post_message(&JsValue::NULL).is_ok()
        });
        if !sent {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
    drop(channel);
}
