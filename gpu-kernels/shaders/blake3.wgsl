// BLAKE3 row hashing (leaves) and Merkle levels, matching winter-crypto's Blake3_256 over f64.
// A leaf is blake3 of the canonical little-endian u64 of each row element. Rows are absorbed
// block by block (8 elements = one 64-byte block) across dispatches, keeping each row's chaining
// value in `state`; rows of more than 128 elements use two chunks and a PARENT|ROOT node.

const CHUNK_START: u32 = 1u;
const CHUNK_END: u32 = 2u;
const PARENT: u32 = 4u;
const ROOT: u32 = 8u;
const IV0: vec4<u32> = vec4<u32>(0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au);
const IV1: vec4<u32> = vec4<u32>(0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u);

struct Cv {
    a: vec4<u32>,
    b: vec4<u32>,
}

struct State {
    r0: vec4<u32>,
    r1: vec4<u32>,
    r2: vec4<u32>,
    r3: vec4<u32>,
}

fn rotr4(x: vec4<u32>, n: u32) -> vec4<u32> {
    return (x >> vec4<u32>(n)) | (x << vec4<u32>(32u - n));
}

// The G function on four columns (or diagonals) at once.
fn g4(s: State, mx: vec4<u32>, my: vec4<u32>) -> State {
    var a = s.r0 + s.r1 + mx;
    var d = rotr4(s.r3 ^ a, 16u);
    var c = s.r2 + d;
    var b = rotr4(s.r1 ^ c, 12u);
    a = a + b + my;
    d = rotr4(d ^ a, 8u);
    c = c + d;
    b = rotr4(b ^ c, 7u);
    return State(a, b, c, d);
}

fn b3_round(s: State, m: array<u32, 16>) -> State {
    var t = g4(s, vec4<u32>(m[0], m[2], m[4], m[6]), vec4<u32>(m[1], m[3], m[5], m[7]));
    t = State(t.r0, t.r1.yzwx, t.r2.zwxy, t.r3.wxyz);
    t = g4(t, vec4<u32>(m[8], m[10], m[12], m[14]), vec4<u32>(m[9], m[11], m[13], m[15]));
    return State(t.r0, t.r1.wxyz, t.r2.zwxy, t.r3.yzwx);
}

fn permute(m: array<u32, 16>) -> array<u32, 16> {
    return array<u32, 16>(m[2], m[6], m[3], m[10], m[7], m[0], m[4], m[13],
                          m[1], m[11], m[12], m[5], m[9], m[14], m[15], m[8]);
}

// BLAKE3 compression; returns the new chaining value (first 8 output words).
fn compress(cv: Cv, block: array<u32, 16>, counter: u32, block_len: u32, flags: u32) -> Cv {
    var s = State(cv.a, cv.b, IV0, vec4<u32>(counter, 0u, block_len, flags));
    var m = block;
    for (var r = 0u; r < 7u; r++) {
        s = b3_round(s, m);
        m = permute(m);
    }
    return Cv(s.r0 ^ s.r2, s.r1 ^ s.r3);
}

// The digest with bytes 25..32 cleared when `cut` is 1 (BLAKE3 cut to 200 bits, zero-padded).
fn cut_digest(d: Cv, cut: u32) -> Cv {
    if (cut == 1u) {
        return Cv(d.a, vec4<u32>(d.b.x, d.b.y, d.b.z & 0xFFu, 0u));
    }
    return d;
}

fn merge(l: Cv, r: Cv, flags: u32) -> Cv {
    let m = array<u32, 16>(l.a.x, l.a.y, l.a.z, l.a.w, l.b.x, l.b.y, l.b.z, l.b.w,
                           r.a.x, r.a.y, r.a.z, r.a.w, r.b.x, r.b.y, r.b.z, r.b.w);
    return compress(Cv(IV0, IV1), m, 0u, 64u, flags);
}

struct HashParams {
    count: u32,      // rows in this dispatch
    row_base: u32,   // global row of thread 0
    src_stride: u32, // elements per column in `src`
    src_col0: u32,   // column of `src` holding global column gcol0
    ncols: u32,      // columns absorbed by this dispatch
    gcol0: u32,      // first global column absorbed (a multiple of 8)
    total_cols: u32, // row width
    cut: u32,        // 1: leaves keep 25 bytes (zkm-verifier's `Short`), the rest cleared
}

@group(0) @binding(0) var<uniform> H: HashParams;
@group(0) @binding(1) var<storage, read> src: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read_write> state: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read_write> digests: array<vec4<u32>>;

// Canonical value of column c (global index) in this dispatch's row t, zero past the row's end.
fn element(t: u32, c: u32, cend: u32) -> vec2<u32> {
    if (c >= cend) {
        return vec2<u32>(0u, 0u);
    }
    return mont_to_int(src[(H.src_col0 + c - H.gcol0) * H.src_stride + t]);
}

// The 64-byte block of columns c0 .. c0 + 8 (constant indices only, so it stays in registers).
fn load_block(t: u32, c0: u32, cend: u32) -> array<u32, 16> {
    let e0 = element(t, c0, cend);
    let e1 = element(t, c0 + 1u, cend);
    let e2 = element(t, c0 + 2u, cend);
    let e3 = element(t, c0 + 3u, cend);
    let e4 = element(t, c0 + 4u, cend);
    let e5 = element(t, c0 + 5u, cend);
    let e6 = element(t, c0 + 6u, cend);
    let e7 = element(t, c0 + 7u, cend);
    return array<u32, 16>(e0.x, e0.y, e1.x, e1.y, e2.x, e2.y, e3.x, e3.y,
                          e4.x, e4.y, e5.x, e5.y, e6.x, e6.y, e7.x, e7.y);
}

// Absorbs columns [gcol0, gcol0 + ncols) of each row; writes the leaf after the last block.
@compute @workgroup_size(64)
fn absorb(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let t = thread_index(gid, nwg);
    if (t >= H.count) {
        return;
    }
    let row = H.row_base + t;
    let nblocks = (H.total_cols + 7u) / 8u;
    let multi = H.total_cols > 128u;
    var cv = Cv(state[2u * row], state[2u * row + 1u]);
    let b_end = (H.gcol0 + H.ncols + 7u) / 8u;
    for (var b = H.gcol0 / 8u; b < b_end; b++) {
        let c0 = b * 8u;
        let cend = min(c0 + 8u, H.total_cols);
        let in_chunk = b % 16u;
        let last = b + 1u == nblocks;
        var flags = 0u;
        if (in_chunk == 0u) {
            flags = CHUNK_START;
            cv = Cv(IV0, IV1);
        }
        if (in_chunk == 15u || last) {
            flags |= CHUNK_END;
            if (!multi) {
                flags |= ROOT;
            }
        }
        let block_len = select(64u, (cend - c0) * 8u, last);
        cv = compress(cv, load_block(t, c0, cend), b / 16u, block_len, flags);
        if (multi && in_chunk == 15u && !last) {
            digests[2u * row] = cv.a;
            digests[2u * row + 1u] = cv.b;
        }
        if (last) {
            if (multi) {
                cv = merge(Cv(digests[2u * row], digests[2u * row + 1u]), cv, PARENT | ROOT);
            }
            let leaf = cut_digest(cv, H.cut);
            digests[2u * row] = leaf.a;
            digests[2u * row + 1u] = leaf.b;
        }
    }
    state[2u * row] = cv.a;
    state[2u * row + 1u] = cv.b;
}

struct MerkleParams {
    count: u32,    // parents in this level
    dst_off: u32,  // index of the first parent in `nodes`
    from_leaves: u32,
    cut: u32,      // 1: parents keep 25 bytes, the rest cleared
}

@group(0) @binding(0) var<uniform> M: MerkleParams;
@group(0) @binding(1) var<storage, read> leaves: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> nodes: array<vec4<u32>>;

// nodes[dst_off + i] = blake3(child(2i) || child(2i + 1)) (cut when M.cut is 1), children from
// leaves or nodes.
@compute @workgroup_size(64)
fn merkle_level(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = thread_index(gid, nwg);
    if (i >= M.count) {
        return;
    }
    var l: Cv;
    var r: Cv;
    if (M.from_leaves == 1u) {
        l = Cv(leaves[4u * i], leaves[4u * i + 1u]);
        r = Cv(leaves[4u * i + 2u], leaves[4u * i + 3u]);
    } else {
        let c = 2u * (M.dst_off + i);
        l = Cv(nodes[2u * c], nodes[2u * c + 1u]);
        r = Cv(nodes[2u * c + 2u], nodes[2u * c + 3u]);
    }
    let p = cut_digest(merge(l, r, CHUNK_START | CHUNK_END | ROOT), M.cut);
    nodes[2u * (M.dst_off + i)] = p.a;
    nodes[2u * (M.dst_off + i) + 1u] = p.b;
}
