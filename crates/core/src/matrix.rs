//! Row-major matrices of f64 and the one matrix product the network needs.
//!
//! The product goes through `matrixmultiply`, a blocked, vectorised GEMM. It is built without its
//! run-time CPU detection, so it never picks a fused multiply-add kernel: every product is the
//! same sequence of IEEE multiplications and additions natively and in WebAssembly, and a seed
//! gives the same training run bit for bit in the CLI and in the page.
//!
//! matrixmultiply has no kernel for WebAssembly's 128-bit SIMD, only a portable scalar one, so
//! the page's module (built with `simd128`) multiplies with [`simd`]'s kernel instead: two
//! columns per instruction, and for each element of C the very sums matrixmultiply forms (from
//! zero, in the order of k, restarted every 256 terms and added to C), so the bits are the same.

/// A row-major matrix: element (i, j) is `data[i * cols + j]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f64>,
}

impl Matrix {
    /// A rows × cols matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Matrix {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// Row i as a slice.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Resizes to rows × cols, keeping the allocation (contents unspecified).
    pub fn reshape(&mut self, rows: usize, cols: usize) {
        self.rows = rows;
        self.cols = cols;
        self.data.resize(rows * cols, 0.0);
    }
}

/// How a matrix operand of [`gemm`] is read from its row-major storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// As stored.
    N,
    /// Transposed: an m × k operand stored as k × m.
    T,
}

/// C ← op(A)·op(B) + β·C, with op(A) m × k, op(B) k × n and C m × n, all row-major.
///
/// # Panics
/// If a slice is shorter than its shape says (a bug in the caller, never bad input).
#[allow(clippy::too_many_arguments)]
pub fn gemm(
    m: usize,
    k: usize,
    n: usize,
    a: &[f64],
    op_a: Op,
    b: &[f64],
    op_b: Op,
    beta: f64,
    c: &mut [f64],
) {
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        for v in &mut c[..m * n] {
            *v = if beta == 0.0 { 0.0 } else { *v * beta };
        }
        return;
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    simd::gemm(m, k, n, a, op_a, b, op_b, beta, c);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    gemm_matrixmultiply(m, k, n, a, op_a, b, op_b, beta, c);
}

/// [`gemm`] through matrixmultiply on every target (the WebAssembly tests compare the SIMD
/// kernel with it, bit for bit).
///
/// # Panics
/// As [`gemm`].
#[allow(clippy::too_many_arguments)]
pub fn gemm_matrixmultiply(
    m: usize,
    k: usize,
    n: usize,
    a: &[f64],
    op_a: Op,
    b: &[f64],
    op_b: Op,
    beta: f64,
    c: &mut [f64],
) {
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    if m == 0 || n == 0 {
        return;
    }
    let (rsa, csa) = match op_a {
        Op::N => (k, 1),
        Op::T => (1, m),
    };
    let (rsb, csb) = match op_b {
        Op::N => (n, 1),
        Op::T => (1, k),
    };
    let (rsa, csa, rsb, csb, n_i) = (
        rsa as isize,
        csa as isize,
        rsb as isize,
        csb as isize,
        n as isize,
    );
    // SAFETY: the assert above keeps every index the strides reach inside its slice: A's largest
    // offset is (m−1)·rsa + (k−1)·csa = m·k − 1 in both layouts, B's is k·n − 1 and C's m·n − 1;
    // `c` is a unique borrow, so it does not alias `a` or `b`.
    #[allow(unsafe_code)]
    unsafe {
        matrixmultiply::dgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            rsa,
            csa,
            b.as_ptr(),
            rsb,
            csb,
            beta,
            c.as_mut_ptr(),
            n_i,
            1,
        );
    }
}

/// The product for WebAssembly's 128-bit SIMD (see the module's notes).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use super::Op;
    use core::arch::wasm32::{f64x2, f64x2_add, f64x2_extract_lane, f64x2_mul, f64x2_splat, v128};
    use std::cell::RefCell;

    /// matrixmultiply's depth block for f64: its sums start again every `KC` terms.
    const KC: usize = 256;
    /// Rows of A per block.
    const MR: usize = 4;

    thread_local! {
        /// op(B) row-major when B is transposed, and a block of rows of A, copied out.
        static SCRATCH: RefCell<(Vec<f64>, Vec<f64>)> = const { RefCell::new((Vec::new(), Vec::new())) };
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn gemm(
        m: usize,
        k: usize,
        n: usize,
        a: &[f64],
        op_a: Op,
        b: &[f64],
        op_b: Op,
        beta: f64,
        c: &mut [f64],
    ) {
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let (packed_b, panel) = &mut *scratch;
            if op_b == Op::T {
                // op(B)[p][j] = B[j][p], B stored n × k; every value is written.
                packed_b.resize(k * n, 0.0);
                for (j, column) in b[..k * n].chunks_exact(k).enumerate() {
                    for (p, &v) in column.iter().enumerate() {
                        packed_b[p * n + j] = v;
                    }
                }
            }
            let rows_b: &[f64] = if op_b == Op::T { packed_b } else { &b[..k * n] };
            let a_at = |i: usize, p: usize| match op_a {
                Op::N => a[i * k + p],
                Op::T => a[p * m + i],
            };
            let c = &mut c[..m * n];
            for k0 in (0..k).step_by(KC) {
                let depth = KC.min(k - k0);
                // The first block scales C by beta; the later ones add to it.
                let beta = if k0 == 0 { beta } else { 1.0 };
                let rows_b = &rows_b[k0 * n..(k0 + depth) * n];
                for i0 in (0..m).step_by(MR) {
                    let rows = MR.min(m - i0);
                    let c_rows = &mut c[i0 * n..(i0 + rows) * n];
                    if op_a == Op::N && rows == MR {
                        // MR whole rows of A, read where they are.
                        let row = |r: usize| &a[(i0 + r) * k + k0..(i0 + r) * k + k0 + depth];
                        block(
                            [row(0), row(1), row(2), row(3)],
                            rows_b,
                            n,
                            MR,
                            beta,
                            c_rows,
                        );
                        continue;
                    }
                    // Else the rows of the block of A copied out (zero past the last row),
                    // every value written, so the buffer is only sized, not cleared.
                    panel.resize(MR * depth, 0.0);
                    for (r, row) in panel.chunks_exact_mut(depth).enumerate() {
                        for (p, v) in row.iter_mut().enumerate() {
                            *v = if r < rows { a_at(i0 + r, k0 + p) } else { 0.0 };
                        }
                    }
                    let row = |r: usize| &panel[r * depth..(r + 1) * depth];
                    block(
                        [row(0), row(1), row(2), row(3)],
                        rows_b,
                        n,
                        rows,
                        beta,
                        c_rows,
                    );
                }
            }
        });
    }

    /// Up to MR rows of C (the first `rows` of the MR sums) from MR rows of A, each `depth`
    /// long, and `depth` rows of op(B).
    #[inline(never)]
    fn block(a: [&[f64]; MR], rows_b: &[f64], n: usize, rows: usize, beta: f64, c: &mut [f64]) {
        let groups = a[0]
            .iter()
            .zip(a[1])
            .zip(a[2])
            .zip(a[3])
            .map(|(((&a0, &a1), &a2), &a3)| [a0, a1, a2, a3])
            .zip(rows_b.chunks_exact(n));
        block_of(groups, n, rows, beta, c);
    }

    /// Up to MR rows of C from `groups`, one per term of the sums: MR values of A's rows and
    /// the row of op(B) they multiply. Four columns at a time in two vectors, then two, then one.
    #[inline(always)]
    fn block_of<'b>(
        groups: impl Iterator<Item = ([f64; MR], &'b [f64])> + Clone,
        n: usize,
        rows: usize,
        beta: f64,
        c: &mut [f64],
    ) {
        let mut j = 0;
        while j + 4 <= n {
            // Eight accumulators in locals, not an array: written out, they stay in registers.
            let zero = f64x2_splat(0.0);
            let (mut c00, mut c01, mut c10, mut c11) = (zero, zero, zero, zero);
            let (mut c20, mut c21, mut c30, mut c31) = (zero, zero, zero, zero);
            for (group, row_b) in groups.clone() {
                let bb = &row_b[j..j + 4];
                let (b0, b1) = (f64x2(bb[0], bb[1]), f64x2(bb[2], bb[3]));
                let (a0, a1) = (f64x2_splat(group[0]), f64x2_splat(group[1]));
                let (a2, a3) = (f64x2_splat(group[2]), f64x2_splat(group[3]));
                c00 = f64x2_add(c00, f64x2_mul(a0, b0));
                c01 = f64x2_add(c01, f64x2_mul(a0, b1));
                c10 = f64x2_add(c10, f64x2_mul(a1, b0));
                c11 = f64x2_add(c11, f64x2_mul(a1, b1));
                c20 = f64x2_add(c20, f64x2_mul(a2, b0));
                c21 = f64x2_add(c21, f64x2_mul(a2, b1));
                c30 = f64x2_add(c30, f64x2_mul(a3, b0));
                c31 = f64x2_add(c31, f64x2_mul(a3, b1));
            }
            let acc = [[c00, c01], [c10, c11], [c20, c21], [c30, c31]];
            for (r, acc) in acc.iter().enumerate().take(rows) {
                store(&mut c[r * n + j..r * n + j + 2], acc[0], beta);
                store(&mut c[r * n + j + 2..r * n + j + 4], acc[1], beta);
            }
            j += 4;
        }
        if j + 2 <= n {
            let mut acc = [f64x2_splat(0.0); MR];
            for (group, row_b) in groups.clone() {
                let b0 = f64x2(row_b[j], row_b[j + 1]);
                for (acc, &av) in acc.iter_mut().zip(&group) {
                    *acc = f64x2_add(*acc, f64x2_mul(f64x2_splat(av), b0));
                }
            }
            for (r, acc) in acc.iter().enumerate().take(rows) {
                store(&mut c[r * n + j..r * n + j + 2], *acc, beta);
            }
            j += 2;
        }
        if j < n {
            let mut acc = [0.0; MR];
            for (group, row_b) in groups {
                for (acc, &av) in acc.iter_mut().zip(&group) {
                    *acc += av * row_b[j];
                }
            }
            for (r, &s) in acc.iter().enumerate().take(rows) {
                put(&mut c[r * n + j], s, beta);
            }
        }
    }

    /// C ← sum (β = 0) or β·C + sum, as matrixmultiply writes its sums.
    #[inline(always)]
    fn put(c: &mut f64, sum: f64, beta: f64) {
        *c = if beta == 0.0 { sum } else { *c * beta + sum };
    }

    #[inline(always)]
    fn store(c: &mut [f64], sums: v128, beta: f64) {
        put(&mut c[0], f64x2_extract_lane::<0>(sums), beta);
        put(&mut c[1], f64x2_extract_lane::<1>(sums), beta);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(m: usize, k: usize, n: usize, a: &[f64], ta: Op, b: &[f64], tb: Op) -> Vec<f64> {
        let at = |i: usize, p: usize| {
            if ta == Op::N {
                a[i * k + p]
            } else {
                a[p * m + i]
            }
        };
        let bt = |p: usize, j: usize| {
            if tb == Op::N {
                b[p * n + j]
            } else {
                b[j * k + p]
            }
        };
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| at(i, p) * bt(p, j)).sum();
            }
        }
        c
    }

    #[test]
    fn a_product_worked_by_hand() {
        // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50]
        let mut c = vec![0.0; 4];
        gemm(
            2,
            2,
            2,
            &[1., 2., 3., 4.],
            Op::N,
            &[5., 6., 7., 8.],
            Op::N,
            0.0,
            &mut c,
        );
        assert_eq!(c, [19., 22., 43., 50.]);
        // Aᵀ·B with A = [1 2; 3 4]: [1 3; 2 4] · [5 6; 7 8] = [26 30; 38 44]; plus 1·C.
        gemm(
            2,
            2,
            2,
            &[1., 2., 3., 4.],
            Op::T,
            &[5., 6., 7., 8.],
            Op::N,
            1.0,
            &mut c,
        );
        assert_eq!(c, [19. + 26., 22. + 30., 43. + 38., 50. + 44.]);
    }

    #[test]
    fn agrees_with_the_definition_in_every_layout() {
        // Integers small enough that every sum is exact, so any summation order gives these bits.
        let (m, k, n) = (13, 300, 7);
        let a: Vec<f64> = (0..m * k)
            .map(|i| ((i * 7919) % 23) as f64 - 11.0)
            .collect();
        let b: Vec<f64> = (0..k * n)
            .map(|i| ((i * 104_729) % 19) as f64 - 9.0)
            .collect();
        for ta in [Op::N, Op::T] {
            for tb in [Op::N, Op::T] {
                let mut c = vec![f64::NAN; m * n];
                gemm(m, k, n, &a, ta, &b, tb, 0.0, &mut c);
                assert_eq!(c, naive(m, k, n, &a, ta, &b, tb), "{ta:?} {tb:?}");
            }
        }
    }
}
