// Coset low-degree extension: bit-reverse + coset scaling (+ the first log2(blowup) radix-2
// stages, which only replicate values), the stages inside 2048-element tiles in workgroup
// memory (`lde_local`), then one radix-2 DIT butterfly stage per dispatch (`butterfly`).
// Layout: column-major, `cols` columns of `1 << big_log` elements.

struct LdeParams {
    count: u32,     // threads in this dispatch
    big_log: u32,   // log2(N), N = n * blowup
    small_log: u32, // log2(n) for lde_local, log2(m) (half block size) for butterfly
    blowup_log: u32,
    tile_log: u32,  // log2 of the lde_local tile (<= 11)
    p5: u32,
    p6: u32,
    p7: u32,
}

@group(0) @binding(0) var<uniform> P: LdeParams;
@group(0) @binding(1) var<storage, read> table: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read> coeffs: array<vec2<u32>>;
@group(0) @binding(3) var<storage, read_write> data: array<vec2<u32>>;
@group(0) @binding(4) var<storage, read> twiddles: array<vec2<u32>>;

const LOCAL_THREADS: u32 = 256u;
var<workgroup> tile: array<vec2<u32>, 2048>;

// Element t (= col * N + i) after bit reversal, coset scaling and the replicating stages.
fn scaled_input(t: u32) -> vec2<u32> {
    let col = t >> P.big_log;
    let i = t & ((1u << P.big_log) - 1u);
    let i0 = (i >> P.blowup_log) << P.blowup_log;
    let j = reverseBits(i0) >> (32u - P.big_log);
    return gl_mul(coeffs[(col << P.small_log) + j], table[j]);
}

// Bit reversal and coset scaling fused with every stage of half size m < 2^tile_log, one tile per workgroup;
// P.count = number of tiles. table = coset powers, twiddles = omega_N^k.
@compute @workgroup_size(256)
fn lde_local(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
             @builtin(num_workgroups) nwg: vec3<u32>) {
    let w = wid.x + wid.y * nwg.x;
    if (w >= P.count) {
        return;
    }
    let size = 1u << P.tile_log;
    let base = w << P.tile_log;
    for (var e = lid.x; e < size; e += LOCAL_THREADS) {
        tile[e] = scaled_input(base + e);
    }
    workgroupBarrier();
    let half_log = P.big_log - 1u;
    for (var m_log = P.blowup_log; m_log < P.tile_log; m_log++) {
        for (var k = lid.x; k < size / 2u; k += LOCAL_THREADS) {
            let j = k & ((1u << m_log) - 1u);
            let i0 = ((k >> m_log) << (m_log + 1u)) + j;
            let i1 = i0 + (1u << m_log);
            let u = tile[i0];
            let v = gl_mul(tile[i1], twiddles[j << (half_log - m_log)]);
            tile[i0] = gl_add(u, v);
            tile[i1] = gl_sub(u, v);
        }
        workgroupBarrier();
    }
    for (var e = lid.x; e < size; e += LOCAL_THREADS) {
        data[base + e] = tile[e];
    }
}

// One DIT stage with half block size m = 1 << small_log; table = omega_N^k for k < N/2.
@compute @workgroup_size(64)
fn butterfly(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let t = thread_index(gid, nwg);
    if (t >= P.count) {
        return;
    }
    let half_log = P.big_log - 1u;
    let col = t >> half_log;
    let k = t & ((1u << half_log) - 1u);
    let m_log = P.small_log;
    let j = k & ((1u << m_log) - 1u);
    let i0 = (col << P.big_log) + ((k >> m_log) << (m_log + 1u)) + j;
    let i1 = i0 + (1u << m_log);
    let w = table[j << (half_log - m_log)];
    let u = data[i0];
    let v = gl_mul(data[i1], w);
    data[i0] = gl_add(u, v);
    data[i1] = gl_sub(u, v);
}
