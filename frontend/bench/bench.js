// certdesk's browser benchmark. `cargo xtask bench` opens this page in headless Chromium,
// served by certdesk itself under its Content-Security-Policy, and reads #results (JSON) once
// its data-state is "done" or "failed". Never part of the app.
//
// Query: runs=N (of every step); ratioRuns=M (of bare WebCrypto and certdesk's request, whose
// ratio needs more runs: an RSA key's time varies with where its primes happen to fall);
// types=rsa-2048,… (each key type in turn); forge=rsa-2048,… (the key types node-forge makes
// too); p12=rsa-3072,… (key types of the .p12 builds, whose key and certificate xtask puts
// into fixtures/).
import init, { buildPkcs12, deriveKeyFileKey, newRequest, workerKeygen } from "./certdesk-bench.js";

const query = new URLSearchParams(location.search);
const list = (name) => (query.get(name) || "").split(",").filter(Boolean);
const RUNS = Number(query.get("runs") || 5);
const RATIO_RUNS = Math.max(RUNS, Number(query.get("ratioRuns") || 0));

const progress = document.getElementById("progress");
const results = document.getElementById("results");

const violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  violations.push(`${e.violatedDirective}: ${e.blockedURI}`),
);

// Tasks of 50 ms or more on this page's thread, as the browser reports them.
const longTasks = [];
const observer = new PerformanceObserver((entries) => longTasks.push(...entries.getEntries()));
observer.observe({ type: "longtask" });

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// One step: its wall time and the longest task of this thread while it ran (0: none of 50 ms).
async function measure(step) {
  await pause(20);
  const start = performance.now();
  await step();
  const end = performance.now();
  // Long-task entries are queued after their task ends.
  await pause(50);
  longTasks.push(...observer.takeRecords());
  const longest = longTasks
    .filter((t) => t.startTime < end && t.startTime + t.duration > start)
    .reduce((max, t) => Math.max(max, t.duration), 0);
  return { ms: end - start, longest };
}

// The bare browser call certdesk's key generation is compared with.
function webcryptoKeygen(type) {
  const algorithm = type.startsWith("rsa-")
    ? {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: Number(type.slice(4)),
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      }
    : { name: "ECDSA", namedCurve: type === "ecdsa-p256" ? "P-256" : "P-384" };
  return crypto.subtle.generateKey(algorithm, true, ["sign"]);
}

// node-forge in pure JavaScript on the page's thread, in its documented steps of 100 ms
// with the page getting a turn in between: how portals without WebCrypto make RSA keys.
function forgeKeygen(type) {
  forge.options.usePureJavaScript = true;
  const state = forge.pki.rsa.createKeyPairGenerationState(Number(type.slice(4)), 0x10001);
  return new Promise((resolve) => {
    const step = () => {
      if (forge.pki.rsa.stepKeyPairGenerationState(state, 100)) resolve(state.keys);
      else setTimeout(step, 1);
    };
    step();
  });
}

async function fixture(type) {
  const get = async (name) => {
    const response = await fetch(`fixtures/${type}.${name}`);
    if (!response.ok) throw new Error(`fixtures/${type}.${name}: ${response.status}`);
    return response;
  };
  const key = new Uint8Array(await (await get("key.der")).arrayBuffer());
  const cert = await (await get("cert.pem")).text();
  return { key, cert };
}

async function run() {
  await init();
  const samples = [];
  const record = async (keyType, step, fn) => {
    progress.textContent = `${keyType}: ${step}`;
    try {
      samples.push({ keyType, step, ...(await measure(fn)) });
    } catch (e) {
      throw new Error(`${keyType}, ${step}: ${e && e.message ? e.message : e}`);
    }
  };
  const forgeTypes = new Set(list("forge"));
  // The request page derives the key file's key when the password has been entered twice,
  // before *Generate*; its own step below measures that derivation.
  await deriveKeyFileKey();
  for (const type of list("types")) {
    const steps = [
      ["webcrypto", () => webcryptoKeygen(type)],
      ["certdesk", () => newRequest(type)],
      ["password", () => deriveKeyFileKey()],
      ["worker", () => workerKeygen(type)],
    ];
    if (forgeTypes.has(type)) steps.push(["forge", () => forgeKeygen(type)]);
    // Interleaved, so that a slower stretch of the machine hits every step alike; the
    // first two steps go on alone for the runs only they need.
    for (let i = 0; i < RATIO_RUNS; i += 1) {
      const now = i < RUNS ? steps : steps.slice(0, 2);
      for (const [step, fn] of now) await record(type, step, fn);
    }
  }
  for (const type of list("p12")) {
    const { key, cert } = await fixture(type);
    for (let i = 0; i < RUNS; i += 1) {
      for (const format of ["modern", "compatible"]) {
        await record(type, `p12-${format}`, () => buildPkcs12(key, cert, format));
      }
    }
  }
  return {
    userAgent: navigator.userAgent,
    cores: navigator.hardwareConcurrency,
    runs: RUNS,
    ratioRuns: RATIO_RUNS,
    samples,
    violations,
  };
}

run()
  .then((report) => {
    results.textContent = JSON.stringify(report);
    progress.textContent = "done";
    results.dataset.state = "done";
  })
  .catch((e) => {
    results.textContent = String(e && e.stack ? e.stack : e);
    progress.textContent = "failed";
    results.dataset.state = "failed";
  });
