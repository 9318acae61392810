//! Checks the browser test files share.
// Each test file uses a part of it.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::future::Future;

use shared::pki::{self, KeyType, PrivateKey};
use wasm_bindgen::prelude::*;

/// The key is exactly `key_type`, its public key passes the server's checks, and it signs a
/// request.
pub fn assert_valid_key(key: &PrivateKey, key_type: KeyType) {
    assert_eq!(key.key_type(), key_type);
    assert_eq!(
        pki::check_public_key_der(&key.public_key_der().unwrap()),
        Ok(key_type)
    );
    let csr = pki::build_csr_pem(key, &["alice@example.org"]).unwrap();
    assert!(csr.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
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

/// How the page's thread fared while something ran.
pub struct Page {
    pub longest_task_ms: f64,
    pub ticks: u32,
    pub longest_gap_ms: f64,
}

impl Page {
    /// No task of 100 ms or more, and the timer kept ticking.
    pub fn assert_responsive(&self) {
        assert!(
            self.longest_task_ms < 100.0,
            "a task of {} ms blocked the page (timer: {} ticks, longest gap {} ms)",
            self.longest_task_ms,
            self.ticks,
            self.longest_gap_ms
        );
        assert!(
            self.ticks >= 5,
            "the timer ticked only {} times",
            self.ticks
        );
    }
}

/// Runs `work` while watching the page's thread. First checks that the watcher sees a page
/// blocked for 150 ms, or its silence afterwards would prove nothing.
pub async fn watch_page<F: Future>(work: F) -> (F::Output, Page) {
    let w = watch_main_thread();
    busy(150.0);
    let (blocked, _, _) = stop(w).await;
    assert!(blocked >= 150.0, "long task not seen: {blocked} ms");

    let w = watch_main_thread();
    let out = work.await;
    let (longest_task_ms, ticks, longest_gap_ms) = stop(w).await;
    (
        out,
        Page {
            longest_task_ms,
            ticks,
            longest_gap_ms,
        },
    )
}

/// A new P-256 key and its key file for `password`, with a weak iteration count that keeps
/// tests quick.
pub async fn p256_with_key_file(password: &str) -> (PrivateKey, String) {
    use certdesk_frontend::crypto::{self, Engine};
    let key = crypto::generate_key(KeyType::EcdsaP256, Engine::Auto)
        .await
        .unwrap();
    let fast = pki::Iterations::weak_for_tests(1_000);
    let file = crypto::write_key_file(&key, password, fast, Engine::Auto)
        .await
        .unwrap();
    (key, file)
}

/// A certificate for `key`, signed by itself: the builder only pairs key and certificate.
pub fn self_signed(key: &pki::PrivateKey) -> pki::Certificate {
    use x509_cert::builder::{Builder, CertificateBuilder};
    use x509_cert::time::{Time, Validity};
    let pki::PrivateKey::P256(signer) = key else {
        panic!("test uses P-256")
    };
    let time = |y| {
        Time::GeneralTime(der::asn1::GeneralizedTime::from_date_time(
            der::DateTime::new(y, 1, 1, 0, 0, 0).unwrap(),
        ))
    };
    CertificateBuilder::new(
        Profile,
        x509_cert::serial_number::SerialNumber::new(&[1]).unwrap(),
        Validity::new(time(2026), time(2027)),
        key.public_key_info().unwrap(),
    )
    .unwrap()
    .build::<_, p256::ecdsa::DerSignature>(signer)
    .unwrap()
}

struct Profile;

impl x509_cert::builder::profile::BuilderProfile for Profile {
    fn get_issuer(&self, subject: &x509_cert::name::Name) -> x509_cert::name::Name {
        subject.clone()
    }
    fn get_subject(&self) -> x509_cert::name::Name {
        "CN=alice@example.org".parse().unwrap()
    }
    fn build_extensions(
        &self,
        _spk: spki::SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: spki::SubjectPublicKeyInfoRef<'_>,
        _tbs: &x509_cert::TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<x509_cert::ext::Extension>> {
        Ok(Vec::new())
    }
}
