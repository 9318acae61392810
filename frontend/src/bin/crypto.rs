//! The crypto bundle: the request and collect pages' crypto (`certdesk_frontend::crypto`:
//! DER and X.509, RSA and ECDSA, PBES2 and PKCS#12), loaded by `crypto-bundle.js` when the
//! request wizard's password step or the collect page opens. Kept out of the app's bundle, so
//! that its first load carries none of it.

certdesk_frontend::crypto_bundle_exports!();

fn main() {}
