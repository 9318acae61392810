//! Saving bytes the page made (a .p12) as a file: a Blob's object URL and a temporary
//! `<a download>`. The bytes stay in the browser.

use std::time::Duration;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Offers `bytes` as a download named `file_name`.
pub fn save_bytes(bytes: &[u8], file_name: &str, mime: &str) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let anchor: HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.set_hidden(true);
    let body = document
        .body()
        .ok_or_else(|| JsValue::from_str("no body"))?;
    body.append_child(&anchor)?;
    anchor.click();
    anchor.remove();
    // Revoked a little later: some browsers still read the URL after `click` returns.
    wasm_bindgen_futures::spawn_local(async move {
        yew::platform::time::sleep(Duration::from_secs(30)).await;
        let _ = Url::revoke_object_url(&url);
    });
    Ok(())
}
