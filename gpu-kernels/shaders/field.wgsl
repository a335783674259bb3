// Goldilocks field p = 2^64 - 2^32 + 1 on vec2<u32> limbs (x = low word, y = high word).
// Values are in Montgomery form (x * 2^64 mod p), always reduced below p, exactly as
// winter-math's f64 `BaseElement` stores them; mont_red ports winter-math's `mont_red_cst`.

const EPS: u32 = 0xffffffffu; // 2^32 - 1 = 2^64 mod p

// High word of the 64-bit product a * b (the low word is the wrapping product).
fn mul_hi(a: u32, b: u32) -> u32 {
    let al = a & 0xffffu;
    let ah = a >> 16u;
    let bl = b & 0xffffu;
    let bh = b >> 16u;
    let ll = al * bl;
    let lh = al * bh;
    let hl = ah * bl;
    let mid = lh + (ll >> 16u) + (hl & 0xffffu);
    return ah * bh + (mid >> 16u) + (hl >> 16u);
}

// 64-bit wrapping subtraction; z holds the borrow (0 or 1).
fn sub_borrow(a: vec2<u32>, b: vec2<u32>) -> vec3<u32> {
    let lo = a.x - b.x;
    let b0 = select(0u, 1u, a.x < b.x);
    let h1 = a.y - b.y;
    let hi = h1 - b0;
    let b1 = select(0u, 1u, (a.y < b.y) || (h1 < b0));
    return vec3<u32>(lo, hi, b1);
}

// Subtracts 2^32 - 1 from x when flag is 1 (wrapping), as winter-math does after a borrow.
fn fix_eps(x: vec2<u32>, flag: u32) -> vec2<u32> {
    return sub_borrow(x, vec2<u32>(select(0u, EPS, flag == 1u), 0u)).xy;
}

// Montgomery reduction of the 128-bit value (xl, xh): x / 2^64 mod p.
fn mont_red(xl: vec2<u32>, xh: vec2<u32>) -> vec2<u32> {
    // a = xl + (xl << 32), e = carry out
    let ay = xl.y + xl.x;
    let e = select(0u, 1u, ay < xl.y);
    let a = vec2<u32>(xl.x, ay);
    // b = a - (a >> 32) - e
    let t = sub_borrow(a, vec2<u32>(ay, 0u)).xy;
    let b = sub_borrow(t, vec2<u32>(e, 0u)).xy;
    let r = sub_borrow(xh, b);
    return fix_eps(r.xy, r.z);
}

fn gl_mul(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    let p00 = vec2<u32>(a.x * b.x, mul_hi(a.x, b.x));
    let p01 = vec2<u32>(a.x * b.y, mul_hi(a.x, b.y));
    let p10 = vec2<u32>(a.y * b.x, mul_hi(a.y, b.x));
    let p11 = vec2<u32>(a.y * b.y, mul_hi(a.y, b.y));
    let s1 = p00.y + p01.x;
    let c1a = select(0u, 1u, s1 < p00.y);
    let w1 = s1 + p10.x;
    let c1 = c1a + select(0u, 1u, w1 < s1);
    let s2 = p11.x + p01.y;
    let c2a = select(0u, 1u, s2 < p11.x);
    let s3 = s2 + p10.y;
    let c2b = select(0u, 1u, s3 < s2);
    let w2 = s3 + c1;
    let c2c = select(0u, 1u, w2 < s3);
    let w3 = p11.y + c2a + c2b + c2c;
    return mont_red(vec2<u32>(p00.x, w1), vec2<u32>(w2, w3));
}

// a + b computed as a - (p - b), as in winter-math.
fn gl_add(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    let pb = sub_borrow(vec2<u32>(1u, EPS), b).xy;
    let r = sub_borrow(a, pb);
    return fix_eps(r.xy, r.z);
}

fn gl_sub(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    let r = sub_borrow(a, b);
    return fix_eps(r.xy, r.z);
}

// Canonical integer of a Montgomery-form element (winter-math `mont_to_int`).
fn mont_to_int(x: vec2<u32>) -> vec2<u32> {
    return mont_red(x, vec2<u32>(0u, 0u));
}

// Linear thread index over a 2-D grid of 64-wide workgroups.
fn thread_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return gid.x + gid.y * nwg.x * 64u;
}
