package org.vfmtok.eval.gen;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_MT_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_MT_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The Fréchet distance between two Gaussians, ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁Σ₂)^½, the quantity ADM's
 * {@code FIDStatistics.frechet_distance} computes with {@code scipy.linalg.sqrtm(sigma1.dot(sigma2))}.
 *
 * <p>Only the trace of the square root is needed, and Σ₁Σ₂ is similar to the symmetric positive semi-definite
 * A = Σ₁^½ Σ₂ Σ₁^½ (same eigenvalues), so tr (Σ₁Σ₂)^½ = Σᵢ √λᵢ(A); when Σ₂ = LLᵀ is positive definite the
 * cheaper LᵀΣ₁L has the same eigenvalues. Both routes end in symmetric eigen decompositions (EJML), which stay
 * real and stable for the singular covariances of small sample sets, where
 * scipy's general sqrtm of the non-symmetric product can return complex noise (ADM then keeps the real part;
 * tiny negative eigenvalues are clamped to 0 here, which is the same thing).
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    public static double compute(ActivationStatistics a, ActivationStatistics b) {
        int d = a.dim();
        if (b.dim() != d) {
            throw new IllegalArgumentException("FID: statistics of different dimensions, " + d + " and " + b.dim());
        }
        double diff = 0;
        for (int i = 0; i < d; i++) {
            double t = a.mu()[i] - b.mu()[i];
            diff += t * t;
        }
        double tr1 = 0, tr2 = 0;
        for (int i = 0; i < d; i++) {
            tr1 += a.sigma()[i * d + i];
            tr2 += b.sigma()[i * d + i];
        }
        return diff + tr1 + tr2 - 2 * traceSqrtProduct(a.sigma(), b.sigma(), d);
    }

    /**
     * tr (S₁S₂)^½ for symmetric PSD S₁, S₂ (d x d row-major). When S₂ is positive definite (any covariance of
     * more samples than dimensions), S₂ = LLᵀ (Cholesky) and S₁S₂ is similar to the symmetric LᵀS₁L, whose
     * eigenvalues alone are needed: no eigenvectors, two products. A singular S₂ (fewer samples than
     * dimensions) takes the square-root route, {@link #traceSqrtProductBySqrt}. Products and decompositions
     * are EJML's multi-threaded ones.
     */
    static double traceSqrtProduct(double[] s1, double[] s2, int d) {
        DMatrixRMaj l = DMatrixRMaj.wrap(d, d, s2.clone());
        symmetrize(l);
        CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_MT_DDRM.chol(d, true);
        if (!chol.decompose(l)) return traceSqrtProductBySqrt(s1, s2, d);
        DMatrixRMaj lower = chol.getT(null);
        DMatrixRMaj tmp = new DMatrixRMaj(d, d);
        DMatrixRMaj inner = new DMatrixRMaj(d, d);
        CommonOps_MT_DDRM.mult(DMatrixRMaj.wrap(d, d, s1), lower, tmp);
        CommonOps_MT_DDRM.multTransA(lower, tmp, inner);
        return sumSqrtEigenvalues(inner, "LᵀΣ₁L");
    }

    /**
     * tr (S₁S₂)^½ through S₁ = V Λ Vᵀ: S₁S₂ is similar to UᵀS₂U with U = V Λ^½ (symmetric PSD), valid for
     * singular S₁ and S₂ as well.
     */
    static double traceSqrtProductBySqrt(double[] s1, double[] s2, int d) {
        DMatrixRMaj s = DMatrixRMaj.wrap(d, d, s1.clone());
        symmetrize(s);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_MT_DDRM.eig(d, true, true);
        if (!eig.decompose(s)) throw new ArithmeticException("FID: the eigen decomposition of a covariance did not converge");
        DMatrixRMaj u = new DMatrixRMaj(d, d); // columns: v_i · λ_i^½
        for (int i = 0; i < d; i++) {
            double w = Math.sqrt(Math.max(eig.getEigenvalue(i).real, 0.0));
            DMatrixRMaj v = eig.getEigenVector(i);
            for (int r = 0; r < d; r++) u.data[r * d + i] = v.data[r] * w;
        }
        DMatrixRMaj tmp = new DMatrixRMaj(d, d);
        DMatrixRMaj inner = new DMatrixRMaj(d, d);
        CommonOps_MT_DDRM.mult(DMatrixRMaj.wrap(d, d, s2), u, tmp);
        CommonOps_MT_DDRM.multTransA(u, tmp, inner);
        return sumSqrtEigenvalues(inner, "Σ₁^½ Σ₂ Σ₁^½");
    }

    /** Σᵢ √max(λᵢ, 0) of a symmetric matrix (symmetrised, then overwritten by the solver). */
    private static double sumSqrtEigenvalues(DMatrixRMaj m, String what) {
        symmetrize(m);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_MT_DDRM.eig(m.numRows, false, true);
        if (!eig.decompose(m)) throw new ArithmeticException("FID: the eigen decomposition of " + what + " did not converge");
        double trace = 0;
        for (int i = 0; i < m.numRows; i++) trace += Math.sqrt(Math.max(eig.getEigenvalue(i).real, 0.0));
        return trace;
    }

    /** (M + Mᵀ) / 2: removes the rounding asymmetry of products before a symmetric solver sees them. */
    private static void symmetrize(DMatrixRMaj m) {
        int d = m.numRows;
        for (int i = 0; i < d; i++) {
            for (int j = i + 1; j < d; j++) {
                double v = 0.5 * (m.data[i * d + j] + m.data[j * d + i]);
                m.data[i * d + j] = v;
                m.data[j * d + i] = v;
            }
        }
    }
}
