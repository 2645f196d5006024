//! Row-major matrices of f64 and the one matrix product the network needs.
//!
//! The product goes through `matrixmultiply`, a blocked, vectorised GEMM. It is built without its
//! run-time CPU detection, so it never picks a fused multiply-add kernel: every product is the
//! same sequence of IEEE multiplications and additions natively and in WebAssembly, and a seed
//! gives the same training run bit for bit in the CLI and in the page.

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
