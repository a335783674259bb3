// Node.js test of the WebAssembly verifier (run by tests/run.sh, which builds the package and a
// proof of the bundled mlp_digits example first). Environment: ZKM_WASM_PKG (the wasm-bindgen
// output folder), ZKM_ARTIFACT, ZKM_PARAMS, ZKM_PROOF (paths).
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const pkg = process.env.ZKM_WASM_PKG;
const { verify, version } = require(path.join(pkg, 'zkm_verifier_wasm.js'));
const artifact = fs.readFileSync(process.env.ZKM_ARTIFACT, 'utf8');
const params = fs.readFileSync(process.env.ZKM_PARAMS, 'utf8');
const proof = new Uint8Array(fs.readFileSync(process.env.ZKM_PROOF));

const check = (a, p, bytes, bits = 0) => JSON.parse(verify(a, p, bytes, bits));

test('the bundled example proof is accepted', () => {
  const start = process.hrtime.bigint();
  const v = check(artifact, params, proof);
  console.log(`verify in wasm: ${Number(process.hrtime.bigint() - start) / 1e6} ms`);
  assert.equal(v.verified, true, JSON.stringify(v));
  assert.equal(v.model, 'mlp_digits');
  assert.ok(v.security.conjectured >= 100);
  const logits = v.values.find((x) => x.name === 'logits');
  assert.equal(logits.kind, 'output');
  assert.equal(logits.values.length, 10);
  const cls = v.values.find((x) => x.name === 'class');
  assert.deepEqual(cls.shape, []);
  assert.ok(Number.isInteger(cls.codes[0]) && cls.codes[0] >= 0 && cls.codes[0] < 10);
  assert.equal(typeof version(), 'string');
});

test('a tampered proof is rejected', () => {
  for (const at of [proof.length - 100, Math.floor(proof.length / 2), 300]) {
    const bytes = proof.slice();
    bytes[at] ^= 0x01;
    const v = check(artifact, params, bytes);
    assert.equal(v.verified, false, `flip at ${at} accepted`);
    assert.ok(v.error.kind.length > 0 && v.error.message.length > 0);
  }
});

test('a changed public parameter is rejected', () => {
  const w = JSON.parse(params);
  w.b3[0] += 0.5;
  const v = check(artifact, JSON.stringify(w), proof);
  assert.equal(v.verified, false);
  assert.equal(v.error.kind, 'WrongParams');
});

test('a truncated proof and garbage inputs are errors, not crashes', () => {
  assert.equal(check(artifact, params, proof.slice(0, 40)).error.kind, 'MalformedFile');
  assert.equal(check('{}', params, proof).error.kind, 'BadArtifact');
  assert.equal(check(artifact, '[1, 2]', proof).error.kind, 'BadParams');
  assert.equal(check(artifact, params, new Uint8Array(0)).error.kind, 'MalformedFile');
});

test('a higher security requirement than the proof reaches is rejected', () => {
  const v = check(artifact, params, proof, 128);
  assert.equal(v.verified, false);
  assert.equal(v.error.kind, 'InsufficientSecurity');
});

test('the .wasm module stays within its 1.5 MB budget', () => {
  const size = fs.statSync(path.join(pkg, 'zkm_verifier_wasm_bg.wasm')).size;
  console.log(`zkm_verifier_wasm_bg.wasm: ${size} bytes`);
  assert.ok(size <= 1.5 * 1024 * 1024, `${size} bytes`);
});
